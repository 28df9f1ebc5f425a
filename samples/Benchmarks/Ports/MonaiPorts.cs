// Port of MONAI's losses (Project-MONAI/MONAI d388d1c, 2025-06-13), forward only; autograd does the backward.
// monai.losses.DiceLoss.forward: sigmoid | softmax(dim 1) -> one_hot(target) (zeros + scatter_) -> drop channel 0
//   unless include_background -> compute_tp_fp_fn (tp = sum(p*g), fp = sum(p) - tp, fn = sum(g) - tp over the spatial
//   axes, batch first when batch) -> fp *= 0.5, fn *= 0.5 -> 1 - (2tp + smooth_nr) / (2(tp + fp + fn) + smooth_dr) -> mean.
// monai.losses.GeneralizedDiceLoss.forward: the same tp/fp/fn -> denominator 2(tp + fp + fn) -> w = 1/(sum g)^2 ->
//   infinite w set to 0 and replaced by the max over classes -> 1 - (2 sum_c w tp + s_nr)/(sum_c w den + s_dr) -> mean.
// monai.losses.TverskyLoss.forward: activation, one-hot, then the coupled form fp = sum(p(1 - g)), fn = sum((1 - p)g)
//   -> fp *= alpha, fn *= beta -> 1 - (tp + s_nr)/(tp + fp + fn + s_dr) -> mean.
// monai.losses.FocalLoss.forward: one-hot -> .float() -> sigmoid_focal_loss (bce = x - x t - logsigmoid(x);
//   logsigmoid(-x(2t - 1)) * gamma -> exp -> * bce) or softmax_focal_loss (-(1 - exp(log_softmax))^gamma * log_softmax * t)
//   -> mean over every entry.
// monai.losses.DiceCELoss.forward: dice(input, target) + cross_entropy(input, target squeezed to labels) (C > 1) or
//   BCEWithLogits(input, target) (C == 1). monai.losses.DiceFocalLoss.forward: one_hot(target) first, then
//   dice(input, target) + focal(input, target); the focal term is always the sigmoid one (use_softmax is not passed on).
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SegLoss.Benchmarks.Ports
{
    internal static class Monai
    {
        /// <summary>
        /// monai.networks.utils.one_hot: zeros of shape (B, C, *spatial) in dtype torch.float (float32; float64 when the
        /// input is float64, as PortTensors.Float keeps it, so that GDL's float32 1/G² does not enter the float64 check),
        /// scatter_ of 1 along dim 1.
        /// </summary>
        public static Tensor OneHot(Tensor labels, long numClasses, Tensor like)
        {
            var shape = labels.shape;
            shape[1] = numClasses;
            var o = zeros(shape, PortTensors.Float(like).dtype);
            var index = labels.to(ScalarType.Int64);
            return o.scatter_(1, index, PortTensors.Ones(index, o.dtype));
        }

        private static (Tensor Input, Tensor Target) Prepare(Tensor input, Tensor target, bool sigmoid, bool softmax, bool toOnehotY, bool includeBackground)
        {
            if (sigmoid) input = torch.sigmoid(input);
            long nPredCh = input.shape[1];
            if (softmax && nPredCh > 1) input = torch.softmax(input, 1);
            if (toOnehotY && nPredCh > 1) target = OneHot(target, nPredCh, input);
            if (!includeBackground && nPredCh > 1)
            {
                target = target[TensorIndex.Colon, TensorIndex.Slice(1)];
                input = input[TensorIndex.Colon, TensorIndex.Slice(1)];
            }
            return (input, target);
        }

        /// <summary>monai.losses.utils.compute_tp_fp_fn with ord 1 and soft_label False.</summary>
        private static (Tensor Tp, Tensor Fp, Tensor Fn) ComputeTpFpFn(Tensor input, Tensor target, long[] reduceAxis, bool decoupled)
        {
            var tp = torch.sum(input * target, reduceAxis);
            if (decoupled)
                return (tp, torch.sum(input, reduceAxis) - tp, torch.sum(target, reduceAxis) - tp);
            return (tp, torch.sum(input * (1 - target), reduceAxis), torch.sum((1 - input) * target, reduceAxis));
        }

        public static Tensor DiceLoss(Tensor input, Tensor target, bool sigmoid = false, bool softmax = false, bool toOnehotY = false,
            bool includeBackground = true, bool batch = false, double smoothNr = 1e-5, double smoothDr = 1e-5)
        {
            (input, target) = Prepare(input, target, sigmoid, softmax, toOnehotY, includeBackground);
            var (tp, fp, fn) = ComputeTpFpFn(input, target, PortTensors.SpatialAxes(input, batch), decoupled: true);
            fp.mul_(0.5);
            fn.mul_(0.5);
            var numerator = 2 * tp + smoothNr;
            var denominator = 2 * (tp + fp + fn) + smoothDr;
            var f = 1 - numerator / denominator;
            return torch.mean(f);
        }

        public static Tensor GeneralizedDiceLoss(Tensor input, Tensor target, bool sigmoid = false, bool softmax = false,
            bool toOnehotY = false, bool includeBackground = true, double smoothNr = 1e-5, double smoothDr = 1e-5)
        {
            (input, target) = Prepare(input, target, sigmoid, softmax, toOnehotY, includeBackground);
            var reduceAxis = PortTensors.SpatialAxes(input);
            var (tp, fp, fn) = ComputeTpFpFn(input, target, reduceAxis, decoupled: true);
            fp.mul_(0.5);
            fn.mul_(0.5);
            var denominator = 2 * (tp + fp + fn);
            var groundO = torch.sum(target, reduceAxis);
            var grnd = PortTensors.Float(groundO);
            var w = torch.reciprocal(grnd * grnd);
            var infs = torch.isinf(w);
            w[infs] = 0.0;
            var maxValues = torch.max(w, 1).values.unsqueeze(1);
            w = w + infs * maxValues;
            var numer = 2.0 * (tp * w).sum(1, keepdim: true) + smoothNr;
            var denom = (denominator * w).sum(1, keepdim: true) + smoothDr;
            var f = 1.0 - numer / denom;
            return torch.mean(f);
        }

        public static Tensor TverskyLoss(Tensor input, Tensor target, bool sigmoid = false, bool softmax = false, bool toOnehotY = false,
            bool includeBackground = true, double alpha = 0.5, double beta = 0.5, bool batch = false, double smoothNr = 1e-5, double smoothDr = 1e-5)
        {
            (input, target) = Prepare(input, target, sigmoid, softmax, toOnehotY, includeBackground);
            var (tp, fp, fn) = ComputeTpFpFn(input, target, PortTensors.SpatialAxes(input, batch), decoupled: false);
            fp.mul_(alpha);
            fn.mul_(beta);
            var numerator = tp + smoothNr;
            var denominator = tp + fp + fn + smoothDr;
            var score = 1.0 - numerator / denominator;
            return torch.mean(score);
        }

        public static Tensor FocalLoss(Tensor input, Tensor target, double gamma = 2.0, bool toOnehotY = false, bool useSoftmax = false)
        {
            long nPredCh = input.shape[1];
            if (toOnehotY && nPredCh > 1) target = OneHot(target, nPredCh, input);
            input = PortTensors.Float(input);
            target = PortTensors.Float(target);
            var loss = useSoftmax ? SoftmaxFocalLoss(input, target, gamma) : SigmoidFocalLoss(input, target, gamma);
            return loss.mean();
        }

        private static Tensor SoftmaxFocalLoss(Tensor input, Tensor target, double gamma)
        {
            var inputLs = input.log_softmax(1);
            return -(1 - inputLs.exp()).pow(gamma) * inputLs * target;
        }

        private static Tensor SigmoidFocalLoss(Tensor input, Tensor target, double gamma)
        {
            var loss = input - input * target - F.logsigmoid(input);
            var invprobs = F.logsigmoid(-input * (target * 2 - 1));
            return (invprobs * gamma).exp() * loss;
        }

        /// <summary>DiceCELoss; <paramref name="softmax"/> selects softmax Dice + to_onehot_y + CE, otherwise sigmoid Dice + BCE.</summary>
        public static Tensor DiceCELoss(Tensor input, Tensor target, bool sigmoid = false, bool softmax = false, bool toOnehotY = false)
        {
            var diceLoss = DiceLoss(input, target, sigmoid: sigmoid, softmax: softmax, toOnehotY: toOnehotY);
            Tensor ceLoss;
            if (input.shape[1] != 1)
            {
                var labels = target.shape[1] == 1 ? torch.squeeze(target, 1).to(ScalarType.Int64) : target;
                ceLoss = F.cross_entropy(input, labels);
            }
            else
            {
                ceLoss = F.binary_cross_entropy_with_logits(input, target.is_floating_point() ? target : target.to(input.dtype));
            }
            return 1.0 * diceLoss + 1.0 * ceLoss;
        }

        public static Tensor DiceFocalLoss(Tensor input, Tensor target, bool sigmoid = false, bool softmax = false, bool toOnehotY = false, double gamma = 2.0)
        {
            if (toOnehotY && input.shape[1] > 1) target = OneHot(target, input.shape[1], input);
            var diceLoss = DiceLoss(input, target, sigmoid: sigmoid, softmax: softmax);
            var focalLoss = FocalLoss(input, target, gamma);
            return 1.0 * diceLoss + 1.0 * focalLoss;
        }
    }
}
