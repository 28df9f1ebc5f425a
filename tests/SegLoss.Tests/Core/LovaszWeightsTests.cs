using FluentAssertions;
using Xunit;
using TorchSharp;
using static TorchSharp.torch;

namespace SegLoss.Tests.Core
{
    /// <summary>
    /// The managed Lovász weights (radix sort, weights written in place) against the libtorch-sort path that CUDA
    /// tensors take: same values and gradients, for hard, soft and ignored targets.
    /// </summary>
    public class LovaszWeightsTests
    {
        public enum TargetKind { Hard, Soft, HardWithIgnored, SoftWithIgnored }

        private static (Tensor Errors, Tensor Foreground, Tensor? Valid) Rows(ScalarType dtype, TargetKind kind, long rows, long length, long seed)
        {
            var generator = manual_seed(seed);
            // Distinct random errors (no ties, so the gradient is unique) in [0, 1] plus a few larger ones.
            var errors = (rand(rows, length, dtype: ScalarType.Float64) * 1.5).to(dtype);
            var foreground = kind is TargetKind.Soft or TargetKind.SoftWithIgnored
                ? rand(rows, length, dtype: ScalarType.Float64).to(dtype)
                : rand(rows, length).gt(0.6).to(dtype);
            Tensor? valid = kind is TargetKind.HardWithIgnored or TargetKind.SoftWithIgnored
                ? rand(rows, length).gt(0.2).to(dtype)
                : null;
            _ = generator;
            return (errors, foreground, valid);
        }

        [Theory]
        [InlineData(ScalarType.Float32, TargetKind.Hard)]
        [InlineData(ScalarType.Float32, TargetKind.Hard, 300)]
        [InlineData(ScalarType.Float32, TargetKind.Soft)]
        [InlineData(ScalarType.Float32, TargetKind.HardWithIgnored)]
        [InlineData(ScalarType.Float32, TargetKind.SoftWithIgnored)]
        [InlineData(ScalarType.Float64, TargetKind.Hard)]
        [InlineData(ScalarType.Float64, TargetKind.SoftWithIgnored)]
        public void ManagedWeightsAgreeWithTheSortedPathInValueAndGradient(ScalarType dtype, TargetKind kind, long length = 3000)
        {
            using var scope = NewDisposeScope();
            var (errors, foreground, valid) = Rows(dtype, kind, rows: 3, length, seed: 11);
            LovaszWeights.Supports(errors).Should().BeTrue();

            var managedInput = errors.clone().requires_grad_(true);
            bool hard = kind is TargetKind.Hard or TargetKind.HardWithIgnored;
            var managed = LovaszExtension.Loss(managedInput, foreground, valid, hardTargets: hard);
            managed.sum().backward();
            var sortedInput = errors.clone().requires_grad_(true);
            var sorted = LovaszExtension.SortedLoss(sortedInput, foreground, valid);
            sorted.sum().backward();

            double tolerance = dtype == ScalarType.Float32 ? 2e-5 : 1e-12;
            managed.allclose(sorted, rtol: tolerance, atol: tolerance).Should().BeTrue($"values {managed.to(ScalarType.Float64).data<double>().ToArray()[0]} vs {sorted.to(ScalarType.Float64).data<double>().ToArray()[0]}");
            managedInput.grad!.allclose(sortedInput.grad!, rtol: tolerance, atol: tolerance).Should().BeTrue();
            if (valid is not null)
                managedInput.grad!.masked_select(valid.eq(0)).abs().max().ToDouble().Should().Be(0);
        }

        [Fact]
        public void AnAllIgnoredRowCostsNothingAndTheOthersAreUnchanged()
        {
            using var scope = NewDisposeScope();
            var (errors, foreground, _) = Rows(ScalarType.Float32, TargetKind.Hard, rows: 2, length: 500, seed: 3);
            var valid = ones_like(errors);
            valid[0].zero_();
            var managed = LovaszExtension.Loss(errors, foreground, valid, hardTargets: true);
            managed[0].item<float>().Should().Be(0f);
            var alone = LovaszExtension.Loss(errors[1].unsqueeze(0), foreground[1].unsqueeze(0), null);
            managed[1].item<float>().Should().BeApproximately(alone[0].item<float>(), 1e-6f);
        }

        [Fact]
        public void TiedErrorsGiveTheSameValueOnBothPaths()
        {
            using var scope = NewDisposeScope();
            // Errors on a coarse grid: many ties, whose order differs between the sorts; the value must not.
            var errors = (rand(2, 4000, dtype: ScalarType.Float64) * 8).floor().div(8).to(ScalarType.Float32);
            var foreground = rand(2, 4000).gt(0.5).to(ScalarType.Float32);
            var sorted = LovaszExtension.SortedLoss(errors, foreground, null);
            foreach (bool hard in new[] { true, false })
                LovaszExtension.Loss(errors, foreground, null, hard).allclose(sorted, rtol: 1e-5, atol: 1e-6).Should().BeTrue();
        }

        [Fact]
        public void OtherDevicesAndDtypesAreLeftToTheSortedPath()
        {
            using var scope = NewDisposeScope();
            LovaszWeights.Supports(rand(2, 10, dtype: ScalarType.Float16)).Should().BeFalse();
            LovaszWeights.Supports(rand(2, 10, dtype: ScalarType.BFloat16)).Should().BeFalse();
            LovaszWeights.Supports(rand(2, 10)).Should().BeTrue();
        }
    }
}
