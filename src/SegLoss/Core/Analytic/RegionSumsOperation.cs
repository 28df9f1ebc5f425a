using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// The shared part of <see cref="SigmoidRegionSums"/> and <see cref="SoftmaxRegionSums"/>: x (N, C, S) → the region
    /// sums TP, P and G per (image, class), output either as a (3, N, C) tensor or, with an <see cref="IRegionHead"/>,
    /// as the loss itself (one value), with the batch pooled first when asked. The backward turns ∂L/∂TP and ∂L/∂P per
    /// entry into the input gradient in one managed pass (<see cref="KernelBackward"/>).
    /// </summary>
    /// <remarks>
    /// With gradient recording on in the backward (create_graph), the sums and the head are recomputed from the saved
    /// input with differentiable operations (<see cref="DifferentiableSums"/> and the head's tensor form) and the gradient
    /// is taken through them, so that second derivatives are those of the autograd path.
    /// </remarks>
    internal abstract class RegionSumsOperation : AnalyticOperation
    {
        private readonly bool _batch;
        private readonly IRegionHead? _head;
        private readonly Func<RegionStatistics, Tensor>? _tensorHead;
        private double[]? _dTp;
        private double[]? _dP;
        private bool _probabilitiesConsumed;

        /// <param name="batch">Pool the sums over the images (the head then sees one row).</param>
        /// <param name="head">The loss after the sums, or null to output the sums.</param>
        /// <param name="tensorHead">The same loss as tensor operations (for create_graph); required with a head.</param>
        protected RegionSumsOperation(bool batch, IRegionHead? head, Func<RegionStatistics, Tensor>? tensorHead)
        {
            _batch = batch;
            _head = head;
            _tensorHead = tensorHead;
        }

        /// <summary>
        /// TP, P and G per (image, class) of the activated input, as 3·N·C values (TP block, P block, G block). The input
        /// is saved first (for second derivatives); the operation adds after it what its backward reads.
        /// </summary>
        protected abstract double[] Sums(Tensor input, long n, long c, long s, List<Tensor> saved);

        /// <summary>The input gradient from the saved tensors (the input first), given ∂L/∂TP, ∂L/∂P (and an ignored G block) per entry.</summary>
        protected abstract Tensor KernelBackward(IReadOnlyList<Tensor> saved, double[] outputGradient);

        /// <summary>
        /// The saved probabilities, to be overwritten by the gradient (a new handle on them, which the backward returns),
        /// or, when an earlier backward of a retained graph already overwrote them, <paramref name="recompute"/>'s.
        /// </summary>
        /// <remarks>
        /// Why: writing the gradient over p spares allocating and first-touching an input-sized tensor (2 MB for a
        /// 8x1x256x256 float32 input, 8 MB for 8x4x256x256) and reading it back from memory.
        /// </remarks>
        protected Tensor TakeSaved(Tensor probabilities, Func<Tensor> recompute)
        {
            if (_probabilitiesConsumed) return recompute();
            _probabilitiesConsumed = true;
            return AnalyticKernels.SameStorage(probabilities);
        }

        /// <summary>TP, P and G (N, C) as differentiable operations on the saved input (saved[0]).</summary>
        protected abstract (Tensor Tp, Tensor P, Tensor G) DifferentiableSums(IReadOnlyList<Tensor> saved);

        public sealed override Tensor Forward(Tensor input, List<Tensor> saved)
        {
            long n = input.shape[0], c = input.shape[1], s = input.shape[2];
            saved.Add(input);
            var sums = Sums(input, n, c, s, saved);
            if (_head is null) return AnalyticKernels.FromValues(sums, new[] { 3, n, c }, input.dtype);
            int entries = (int)(n * c), rows = _batch ? 1 : (int)n;
            var tp = new double[rows * c];
            var mass = new double[rows * c];
            var target = new double[rows * c];
            for (int e = 0; e < entries; e++)
            {
                int pooled = _batch ? (int)(e % c) : e;
                tp[pooled] += sums[e];
                mass[pooled] += sums[entries + e];
                target[pooled] += sums[2 * entries + e];
            }
            _dTp = new double[rows * c];
            _dP = new double[rows * c];
            double loss = _head.Evaluate(tp, mass, target, rows, (int)c, _dTp, _dP);
            return AnalyticKernels.FromValues(new[] { loss }, Array.Empty<long>(), input.dtype);
        }

        public sealed override Tensor Backward(Tensor gradOutput, IReadOnlyList<Tensor> saved)
        {
            var x = saved[0];
            if (is_grad_enabled())
            {
                // create_graph: the gradient through differentiable operations on the saved input.
                var (tp, mass, target) = DifferentiableSums(saved);
                var output = _head is null
                    ? stack(new[] { tp, mass, target })
                    : _tensorHead!(_batch ? RegionStatistics.Of(tp.sum(dim: 0), mass.sum(dim: 0), target.sum(dim: 0)) : RegionStatistics.Of(tp, mass, target));
                // TorchSharp's grad does not retain the graph by itself (PyTorch's does with create_graph); the second
                // derivative runs through this one.
                return torch.autograd.grad(new[] { output }, new[] { x }, new[] { gradOutput }, retain_graph: true, create_graph: true)[0];
            }
            long n = x.shape[0], c = x.shape[1];
            int entries = (int)(n * c);
            double[] outputGradient;
            if (_head is null) outputGradient = AnalyticKernels.ToDoubles(gradOutput);
            else
            {
                double scale = AnalyticKernels.ToDoubles(gradOutput)[0];
                outputGradient = new double[3 * entries];
                for (int e = 0; e < entries; e++)
                {
                    int pooled = _batch ? (int)(e % c) : e;
                    outputGradient[e] = scale * _dTp![pooled];
                    outputGradient[entries + e] = scale * _dP![pooled];
                }
            }
            return KernelBackward(saved, outputGradient);
        }
    }
}
