using System;
using System.Collections.Generic;
using System.Globalization;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SegLoss.Benchmarks
{
    /// <summary>
    /// One benchmark input: float32 logits (a leaf with requires_grad), a target and a pixel weight map, created
    /// once; <see cref="Step"/> runs forward + backward in a dispose scope and clears the gradient.
    /// </summary>
    internal sealed class Workload : IDisposable
    {
        /// <summary>Multiclass 2D, binary 2D, multiclass 3D.</summary>
        public static IReadOnlyList<string> Shapes { get; } = new[] { "8x4x256x256", "8x1x256x256", "2x3x64x64x64" };

        private Workload(string shape, LossMode mode, Tensor input, Tensor target, Tensor weightMap)
        {
            Shape = shape;
            Mode = mode;
            Input = input;
            Target = target;
            WeightMap = weightMap;
        }

        public string Shape { get; }

        public LossMode Mode { get; }

        /// <summary>Logits (N, C, *spatial), requires_grad.</summary>
        public Tensor Input { get; }

        /// <summary>int64 labels (N, *spatial) for Multiclass; float 0/1 (N, 1, *spatial) for Binary.</summary>
        public Tensor Target { get; }

        /// <summary>Positive per-pixel weights (N, *spatial), for losses taking a weight map.</summary>
        public Tensor WeightMap { get; }

        /// <summary>The reference loss: F.cross_entropy (Multiclass), F.binary_cross_entropy_with_logits (Binary).</summary>
        public string BaselineName => Mode == LossMode.Binary ? "F.bce_with_logits" : "F.cross_entropy";

        public static Workload Create(string shape)
        {
            var dims = Array.ConvertAll(shape.Split('x'), d => long.Parse(d, CultureInfo.InvariantCulture));
            var spatial = dims[2..];
            var labelShape = new long[dims.Length - 1];
            labelShape[0] = dims[0];
            spatial.CopyTo(labelShape, 1);
            manual_seed(42);
            var input = randn(dims, float32, requires_grad: true);
            var mode = dims[1] == 1 ? LossMode.Binary : LossMode.Multiclass;
            var target = mode == LossMode.Binary ? randint(0, 2, dims, float32) : randint(0, dims[1], labelShape, int64);
            using var uniform = rand(labelShape, float32);
            var weightMap = uniform + 0.5;
            return new Workload(shape, mode, input, target, weightMap);
        }

        /// <summary>The baseline loss on this input (forward; <see cref="Step"/> adds the backward).</summary>
        public Tensor Baseline(Tensor input, Tensor target) =>
            Mode == LossMode.Binary ? F.binary_cross_entropy_with_logits(input, target) : F.cross_entropy(input, target);

        /// <summary>One iteration: forward, backward, gradient cleared; every tensor it made is disposed.</summary>
        public void Step(Func<Tensor, Tensor, Tensor> loss)
        {
            using var scope = NewDisposeScope();
            var value = loss(Input, Target);
            value.backward();
            Input.grad = null;
        }

        public void Dispose()
        {
            Input.Dispose();
            Target.Dispose();
            WeightMap.Dispose();
        }
    }
}
