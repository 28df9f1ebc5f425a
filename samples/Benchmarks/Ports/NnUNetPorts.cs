// Port of nnU-Net v2's Dice losses (MIC-DKFZ/nnUNet nnunetv2/training/loss/dice.py and compound_losses.py, 0e49508,
// 2026-07-13), forward only; autograd does the backward.
// MemoryEfficientSoftDiceLoss.forward (apply_nonlin = softmax_helper_dim1, as DC_and_CE_loss sets it): softmax(x, 1) ->
//   under no_grad: y.view(b, 1, ...) -> y_onehot = zeros(x.shape, float32).scatter_(1, y.long(), 1) -> drop channel 0
//   unless do_bg -> sum_gt = y_onehot.sum(axes, float32); then x[:, 1:] unless do_bg -> intersect = (x * y_onehot)
//   .sum(axes, float32) -> sum_pred = x.sum(axes, float32) -> with batch_dice: .sum(0) of the three (no DDP here) ->
//   dc = (2 intersect + smooth) / (sum_gt + sum_pred + smooth).clamp_min(1e-8) -> dc.mean() -> return -dc.
// DC_and_CE_loss.forward (no ignore label): dc(net_output, target) then RobustCrossEntropyLoss(net_output, target[:, 0])
//   (cross_entropy on target.long()) -> weight_ce * ce + weight_dice * dc. The trainer's settings: batch_dice from the
//   plans (True for 2d), smooth 1e-5, do_bg False. float32 reductions use PortTensors.Float's dtype (float64 kept).
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SegLoss.Benchmarks.Ports
{
    internal static class NnUNet
    {
        public static Tensor MemoryEfficientSoftDiceLoss(Tensor x, Tensor y, bool batchDice = true, bool doBg = false, double smooth = 1e-5)
        {
            x = torch.softmax(x, 1);
            var axes = PortTensors.SpatialAxes(x);
            var reduceType = PortTensors.Float(x).dtype;
            Tensor yOnehot, sumGt;
            using (torch.no_grad())
            {
                if (x.dim() != y.dim())
                {
                    var shape = new long[y.dim() + 1];
                    shape[0] = y.shape[0];
                    shape[1] = 1;
                    for (int d = 1; d < y.dim(); d++) shape[d + 1] = y.shape[d];
                    y = y.view(shape);
                }
                yOnehot = zeros(x.shape, reduceType);
                var index = y.to(ScalarType.Int64);
                yOnehot.scatter_(1, index, PortTensors.Ones(index, reduceType));
                if (!doBg) yOnehot = yOnehot[TensorIndex.Colon, TensorIndex.Slice(1)];
                sumGt = yOnehot.sum(axes, type: reduceType);
            }
            if (!doBg) x = x[TensorIndex.Colon, TensorIndex.Slice(1)];
            var intersect = (x * yOnehot).sum(axes, type: reduceType);
            var sumPred = x.sum(axes, type: reduceType);
            if (batchDice)
            {
                intersect = intersect.sum(0, type: reduceType);
                sumPred = sumPred.sum(0, type: reduceType);
                sumGt = sumGt.sum(0, type: reduceType);
            }
            var dc = (2 * intersect + smooth) / (sumGt + sumPred + smooth).clamp_min(1e-8);
            dc = dc.mean();
            return -dc;
        }

        /// <summary>DC_and_CE_loss with the trainer's Dice settings; target (B, 1, *spatial) labels.</summary>
        public static Tensor DiceAndCE(Tensor netOutput, Tensor target, bool batchDice = true)
        {
            var dcLoss = MemoryEfficientSoftDiceLoss(netOutput, target, batchDice);
            var ceLoss = F.cross_entropy(netOutput, target[TensorIndex.Colon, 0].to(ScalarType.Int64));
            return 1 * ceLoss + 1 * dcLoss;
        }
    }
}
