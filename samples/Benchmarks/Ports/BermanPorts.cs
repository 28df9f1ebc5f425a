// Port of Berman's reference Lovász losses (bermanmaxim/LovaszSoftmax pytorch/lovasz_losses.py, 7d48792, 2019-02-26),
// forward only; autograd does the backward.
// lovasz_hinge(logits, labels, per_image=True): per image: flatten_binary_scores (view(-1)) -> lovasz_hinge_flat:
//   signs = 2 labels.float() - 1 -> errors = 1 - logits * signs -> sort descending -> labels[perm] -> lovasz_grad
//   (gts = sum, intersection = gts - cumsum(gt), union = gts + cumsum(1 - gt), 1 - I/U, first difference) ->
//   dot(relu(errors_sorted), grad); images combined by mean() (acc += v, then acc / n).
// lovasz_softmax(probas, labels, classes='present', per_image=False): flatten_probas (permute(0, 2, 3, 1).contiguous()
//   .view(-1, C)) -> lovasz_softmax_flat: per class c with fg = (labels == c).float() present: errors = |fg - p_c| ->
//   sort descending -> fg[perm] -> dot(errors_sorted, lovasz_grad(fg_sorted)); mean of the class losses.
// The caller applies softmax(1) to the logits first, as the reference's README example does. `.float()` is
// PortTensors.Float (float64 kept).
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SegLoss.Benchmarks.Ports
{
    internal static class Berman
    {
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

        /// <summary>mean(l): acc = first, acc += each next, acc / n.</summary>
        private static Tensor Mean(IEnumerable<Tensor> values)
        {
            Tensor? acc = null;
            int n = 0;
            foreach (var v in values)
            {
                n++;
                if (acc is null) acc = v;
                else acc.add_(v);
            }
            return n == 1 ? acc! : acc! / n;
        }

        private static Tensor LovaszHingeFlat(Tensor logits, Tensor labels)
        {
            var signs = 2.0 * PortTensors.Float(labels) - 1.0;
            var errors = 1.0 - logits * signs;
            var (errorsSorted, perm) = torch.sort(errors, 0, descending: true);
            var gtSorted = labels[perm];
            var grad = LovaszGrad(gtSorted);
            return torch.dot(F.relu(errorsSorted), grad);
        }

        /// <summary>lovasz_hinge with per_image=True; logits and labels (B, H, W).</summary>
        public static Tensor LovaszHinge(Tensor logits, Tensor labels)
        {
            IEnumerable<Tensor> PerImage()
            {
                for (long b = 0; b < logits.size(0); b++)
                    yield return LovaszHingeFlat(logits[b].unsqueeze(0).view(-1), labels[b].unsqueeze(0).view(-1));
            }
            return Mean(PerImage());
        }

        /// <summary>lovasz_softmax with classes='present', per_image=False; probas (B, C, H, W), labels (B, H, W).</summary>
        public static Tensor LovaszSoftmax(Tensor probas, Tensor labels)
        {
            long c = probas.size(1);
            var flat = probas.permute(0, 2, 3, 1).contiguous().view(-1, c);
            var flatLabels = labels.view(-1);
            IEnumerable<Tensor> PerClass()
            {
                for (long cls = 0; cls < c; cls++)
                {
                    var fg = PortTensors.Float((flatLabels == cls).to(flat.dtype));
                    if (fg.sum().ToDouble() == 0) continue;
                    var classPred = flat[TensorIndex.Colon, cls];
                    var errors = (fg - classPred).abs();
                    var (errorsSorted, perm) = torch.sort(errors, 0, descending: true);
                    var fgSorted = fg[perm];
                    yield return torch.dot(errorsSorted, LovaszGrad(fgSorted));
                }
            }
            return Mean(PerClass());
        }
    }
}
