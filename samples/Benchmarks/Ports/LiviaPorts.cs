// Port of the boundary loss authors' SurfaceLoss (LIVIAETS/boundary-loss losses.py, 171c32d, 2024-03-19), forward only;
// autograd does the backward.
// SurfaceLoss.__call__(probs, dist_maps): assert simplex(probs) (probs.sum(1).type(float32), allclose to ones) ->
//   assert not one_hot(dist_maps) (simplex(dist_maps) first, which is false for distance maps, so the set-of-values
//   check never runs) -> pc = probs[:, idc].type(float32) -> dc = dist_maps[:, idc].type(float32) ->
//   einsum("bkwh,bkwh->bkwh", pc, dc) -> mean(). probs = softmax(logits, 1), as the authors' training loop computes it.
// `.type(torch.float32)` is PortTensors.Float (float64 kept).
using System;
using TorchSharp;
using static TorchSharp.torch;

namespace SegLoss.Benchmarks.Ports
{
    internal static class Livia
    {
        private static bool Simplex(Tensor t, long axis = 1)
        {
            var sum = PortTensors.Float(t.sum(axis));
            var ones = ones_like(sum);
            return torch.allclose(sum, ones);
        }

        /// <summary>sset(t, [0, 1]): the set of values (torch.unique) is a subset of {0, 1}.</summary>
        private static bool IsSubsetOfZeroOne(Tensor t)
        {
            var (values, _, _) = torch.unique(t.cpu());
            return ((values == 0) | (values == 1)).all().item<bool>();
        }

        /// <summary>SurfaceLoss with idc = <paramref name="idc"/> on softmax(logits).</summary>
        public static Tensor SurfaceLoss(Tensor logits, Tensor distMaps, long[] idc)
        {
            var probs = torch.softmax(logits, 1);
            if (!Simplex(probs)) throw new InvalidOperationException("probs are not a simplex");
            if (Simplex(distMaps) && IsSubsetOfZeroOne(distMaps)) throw new InvalidOperationException("dist_maps look one-hot");
            using var index = torch.tensor(idc);
            var pc = PortTensors.Float(probs.index_select(1, index));
            var dc = PortTensors.Float(distMaps.index_select(1, index));
            var multipled = einsum("bkwh,bkwh->bkwh", pc, dc);
            return multipled.mean();
        }
    }
}
