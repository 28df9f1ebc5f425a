// Port of segmentation_models_pytorch's losses (qubvel-org/segmentation_models.pytorch 5006616, 2026-08-14), forward
// only; autograd does the backward.
// smp.losses.FocalLoss.forward -> focal_loss_with_logits: binary: reshape(-1) both; multiclass: per class
//   cls_y_true = (y_true == cls).long(), cls_y_pred = y_pred[:, cls]; each: target.to(output dtype) ->
//   logpt = BCE-with-logits(reduction none) -> pt = exp(-logpt) -> (1 - pt)^gamma -> * logpt -> [*= alpha t + (1-alpha)(1-t)]
//   -> mean; classes: stack -> mean.
// smp.losses.DiceLoss.forward (and TverskyLoss, which overrides the score and the aggregation): activation
//   log_softmax(1).exp() | logsigmoid.exp() -> reshape (bs, C, -1) -> one_hot(labels).permute(0, 2, 1) (multiclass) ->
//   soft_tversky_score over dims (0, 2): output sum, target sum, L1 norm of (output - target) -> tp = (os + ts - l1)/2,
//   fp = os - tp, fn = ts - tp -> (tp + smooth)/(tp + alpha fp + beta fn + smooth).clamp_min(eps) -> 1 - score ->
//   * (target sum > 0) -> mean (Tversky: mean ** gamma).
// smp.losses.LovaszLoss.forward: binary/multilabel -> _lovasz_hinge (per_image False: flatten, errors = 1 - logits *
//   (2 labels - 1), sort descending, labels[perm], _lovasz_grad (cumsums), dot(relu(errors_sorted), grad));
//   multiclass -> softmax(1) -> _lovasz_softmax (movedim(1, -1).reshape(-1, C); per present class: |fg - p_c|, sort,
//   fg[perm], dot with _lovasz_grad; mean of the class losses).
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SegLoss.Benchmarks.Ports
{
    internal static class Smp
    {
        public static Tensor FocalLossWithLogits(Tensor output, Tensor target, double gamma = 2.0, double? alpha = null)
        {
            target = target.to(output.dtype);
            var logpt = F.binary_cross_entropy_with_logits(output, target, reduction: nn.Reduction.None);
            var pt = torch.exp(-logpt);
            var focalTerm = (1.0 - pt).pow(gamma);
            var loss = focalTerm * logpt;
            if (alpha is double a) loss.mul_(a * target + (1 - a) * (1 - target));
            return loss.mean();
        }

        public static Tensor FocalLossBinary(Tensor yPred, Tensor yTrue, double gamma = 2.0, double? alpha = null) =>
            FocalLossWithLogits(yPred.reshape(-1), yTrue.reshape(-1), gamma, alpha);

        public static Tensor FocalLossMulticlass(Tensor yPred, Tensor yTrue, double gamma = 2.0, double? alpha = null)
        {
            long numClasses = yPred.size(1);
            var classLosses = new List<Tensor>();
            for (long cls = 0; cls < numClasses; cls++)
            {
                var clsYTrue = (yTrue == cls).to(ScalarType.Int64);
                var clsYPred = yPred[TensorIndex.Colon, cls];
                classLosses.Add(FocalLossWithLogits(clsYPred, clsYTrue, gamma, alpha));
            }
            return torch.stack(classLosses).mean();
        }

        private static Tensor SoftTverskyScore(Tensor output, Tensor target, double alpha, double beta, double smooth, double eps, long[] dims)
        {
            var outputSum = torch.sum(output, dims);
            var targetSum = torch.sum(target, dims);
            var difference = linalg.vector_norm(output - target, 1, dims);
            var intersection = (outputSum + targetSum - difference) / 2;
            var fp = outputSum - intersection;
            var fn = targetSum - intersection;
            return (intersection + smooth) / (intersection + alpha * fp + beta * fn + smooth).clamp_min(eps);
        }

        /// <summary>DiceLoss (alpha = beta = 0.5, gamma = 1) or TverskyLoss; <paramref name="multiclass"/> false is the binary mode.</summary>
        public static Tensor TverskyLoss(Tensor yPred, Tensor yTrue, bool multiclass, double alpha = 0.5, double beta = 0.5,
            double gamma = 1.0, double smooth = 0.0, double eps = 1e-7)
        {
            yPred = multiclass ? yPred.log_softmax(1).exp() : F.logsigmoid(yPred).exp();
            long bs = yTrue.size(0);
            long numClasses = yPred.size(1);
            var dims = new long[] { 0, 2 };
            if (multiclass)
            {
                yTrue = yTrue.reshape(bs, -1);
                yPred = yPred.reshape(bs, numClasses, -1);
                yTrue = F.one_hot(yTrue, numClasses);
                yTrue = yTrue.permute(0, 2, 1);
            }
            else
            {
                yTrue = yTrue.reshape(bs, 1, -1);
                yPred = yPred.reshape(bs, 1, -1);
            }
            var scores = SoftTverskyScore(yPred, yTrue.type_as(yPred), alpha, beta, smooth, eps, dims);
            var loss = 1.0 - scores;
            var mask = yTrue.sum(dims) > 0;
            loss.mul_(mask.to(loss.dtype));
            var mean = loss.mean();
            return gamma == 1.0 ? mean : mean.pow(gamma);
        }

        public static Tensor DiceLoss(Tensor yPred, Tensor yTrue, bool multiclass) => TverskyLoss(yPred, yTrue, multiclass);

        private static Tensor LovaszGrad(Tensor gtSorted)
        {
            long p = gtSorted.shape[0];
            var gts = gtSorted.sum();
            var intersection = gts - PortTensors.Float(gtSorted).cumsum(0);
            var union = gts + PortTensors.Float(1 - gtSorted).cumsum(0);
            var jaccard = 1.0 - intersection / union;
            if (p > 1)
                jaccard[TensorIndex.Slice(1, p)] = jaccard[TensorIndex.Slice(1, p)] - jaccard[TensorIndex.Slice(0, -1)];
            return jaccard;
        }

        /// <summary>LovaszLoss('binary', per_image=False): _lovasz_hinge on the flattened batch.</summary>
        public static Tensor LovaszHinge(Tensor logits, Tensor labels)
        {
            logits = logits.reshape(-1);
            labels = labels.reshape(-1);
            var signs = 2.0 * PortTensors.Float(labels) - 1.0;
            var errors = 1.0 - logits * signs;
            var (errorsSorted, perm) = torch.sort(errors, 0, descending: true);
            var gtSorted = labels[perm];
            var grad = LovaszGrad(gtSorted);
            return torch.dot(F.relu(errorsSorted), grad);
        }

        /// <summary>LovaszLoss('multiclass', per_image=False): softmax then _lovasz_softmax with classes "present".</summary>
        public static Tensor LovaszSoftmax(Tensor yPred, Tensor yTrue)
        {
            var probas = yPred.softmax(1);
            long c = probas.size(1);
            probas = torch.movedim(probas, 1, -1).reshape(-1, c);
            var labels = yTrue.reshape(-1);
            Tensor? acc = null;
            int n = 0;
            for (long cls = 0; cls < c; cls++)
            {
                var fg = (labels == cls).type_as(probas);
                if (fg.sum().ToDouble() == 0) continue;
                var classPred = probas[TensorIndex.Colon, cls];
                var errors = (fg - classPred).abs();
                var (errorsSorted, perm) = torch.sort(errors, 0, descending: true);
                var fgSorted = fg[perm];
                var loss = torch.dot(errorsSorted, LovaszGrad(fgSorted));
                acc = acc is null ? loss : acc + loss;
                n++;
            }
            return n <= 1 ? acc! : acc! / n;
        }
    }
}
