using System;
using System.Collections.Generic;
using System.Linq;
using FluentAssertions;
using SegLoss.Benchmarks.Ports;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Ports
{
    /// <summary>
    /// Every benchmark pair (samples/Benchmarks/Ports/PortPairs.cs, linked into this project with the ports) gives the
    /// same value and the same input gradient on both sides, in float64 on small inputs: SegLoss with the mapped
    /// options against the line-by-line port of the peer. Guards the options mapping the benchmark table relies on,
    /// and SegLoss's values while its losses are optimised. Nothing here is timed.
    /// </summary>
    public class PortAgreementTests
    {
        private const double Tolerance = 1e-8;

        public static IEnumerable<object[]> Pairs => PortPairs.All.Select(p => new object[] { p.Name });

        [Fact]
        public void PairListCoversTheIssueTable()
        {
            var names = PortPairs.All.Select(p => p.Name).ToList();
            names.Should().OnlyHaveUniqueItems();
            names.Count.Should().BeGreaterThanOrEqualTo(26);
            names.Should().Contain(new[]
            {
                "monai-dice-sigmoid", "monai-gdl-sigmoid", "monai-dicece-sigmoid", "smp-focal-binary", "monai-focal-sigmoid",
                "monai-dicefocal-sigmoid", "smp-focal-multiclass", "nnunet-dice", "monai-dicefocal-softmax",
                "monai-tversky-softmax", "smp-tversky-multiclass", "berman-lovasz-softmax", "smp-lovasz-multiclass",
                "berman-lovasz-hinge", "livia-boundary",
            });
        }

        [Theory]
        [MemberData(nameof(Pairs))]
        public void ValueAndGradientAgreeInFloat64(string name)
        {
            var pair = PortPairs.Find(name);
            using var scope = NewDisposeScope();
            var (input, target) = Sample(pair.Binary, seed: 7);
            using var pairCase = pair.Create(input, target);

            var (segValue, segGrad) = Evaluate(pairCase.SegLoss, input, target);
            var (portValue, portGrad) = Evaluate(pairCase.Port, input, target);

            double expected = portValue + pairCase.Offset;
            Math.Abs(segValue - expected).Should().BeLessThanOrEqualTo(Tolerance * Math.Max(1e-3, Math.Abs(expected)),
                $"{name}: SegLoss {segValue:R} vs port {portValue:R} (offset {pairCase.Offset})");
            double scale = portGrad.abs().max().item<double>();
            scale.Should().BeGreaterThan(0, $"{name}: the port's gradient is zero");
            double gradError = (segGrad - portGrad).abs().max().item<double>();
            gradError.Should().BeLessThanOrEqualTo(Tolerance * scale, $"{name}: max gradient difference {gradError:E3} against max |grad| {scale:E3}");
        }

        [Theory]
        [MemberData(nameof(Pairs))]
        public void AgreementHoldsOnASecondSample(string name)
        {
            // A second seed, so that one lucky input cannot carry a pair.
            var pair = PortPairs.Find(name);
            using var scope = NewDisposeScope();
            var (input, target) = Sample(pair.Binary, seed: 1234);
            using var pairCase = pair.Create(input, target);
            var (segValue, _) = Evaluate(pairCase.SegLoss, input, target);
            var (portValue, _) = Evaluate(pairCase.Port, input, target);
            double expected = portValue + pairCase.Offset;
            Math.Abs(segValue - expected).Should().BeLessThanOrEqualTo(Tolerance * Math.Max(1e-3, Math.Abs(expected)), name);
        }

        [Theory]
        [MemberData(nameof(Pairs))]
        public void RunsInFloat32AsTimed(string name)
        {
            // The benchmark times float32; both sides must run there and agree to float32 rounding.
            var pair = PortPairs.Find(name);
            using var scope = NewDisposeScope();
            var (input64, target64) = Sample(pair.Binary, seed: 7);
            var input = input64.to(ScalarType.Float32);
            var target = target64.is_floating_point() ? target64.to(ScalarType.Float32) : target64;
            using var pairCase = pair.Create(input, target);
            var (segValue, _) = Evaluate(pairCase.SegLoss, input, target);
            var (portValue, _) = Evaluate(pairCase.Port, input, target);
            double expected = portValue + pairCase.Offset;
            Math.Abs(segValue - expected).Should().BeLessThanOrEqualTo(1e-5 * Math.Max(1, Math.Abs(expected)), name);
        }

        /// <summary>The value and d(value)/d(input) of one side, on a fresh leaf copy of the input.</summary>
        private static (double Value, Tensor Grad) Evaluate(Func<Tensor, Tensor, Tensor> loss, Tensor input, Tensor target)
        {
            var leaf = input.detach().clone().requires_grad_(true);
            var value = loss(leaf, target);
            value.backward();
            return (value.ToDouble(), leaf.grad!.detach().clone());
        }

        /// <summary>
        /// float64 logits 2x1x8x8 with a float 0/1 target (N, 1, H, W) holding both values in each image, or 2x4x8x8
        /// with int64 labels (N, H, W) holding every class in each image (so that no peer's empty-class rule applies).
        /// </summary>
        private static (Tensor Input, Tensor Target) Sample(bool binary, long seed)
        {
            using var generator = new torch.Generator((ulong)seed);
            long c = binary ? 1 : 4;
            var input = randn(new long[] { 2, c, 8, 8 }, ScalarType.Float64, generator: generator);
            if (binary)
            {
                var target = randint(0, 2, new long[] { 2, 1, 8, 8 }, ScalarType.Float64, generator: generator);
                target[TensorIndex.Colon, 0, 0, 0] = 1.0;
                target[TensorIndex.Colon, 0, 0, 1] = 0.0;
                return (input, target);
            }
            var labels = randint(0, c, new long[] { 2, 8, 8 }, ScalarType.Int64, generator: generator);
            for (long k = 0; k < c; k++) labels[TensorIndex.Colon, 0, k] = k;
            return (input, labels);
        }
    }
}
