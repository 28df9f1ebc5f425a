using System;
using System.Collections.Generic;
using System.Linq;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Core
{
    /// <summary>
    /// Region losses with both smoothing terms 0: a class absent from target and prediction is a 0/0 ratio, which
    /// counts as a perfect score (its loss is 0), with a finite gradient, in every mode, 2D and 3D.
    /// </summary>
    public class ZeroSmoothingTests
    {
        public static IEnumerable<object[]> Cases()
        {
            foreach (var mode in new[] { LossMode.Multiclass, LossMode.Multilabel })
                foreach (var spatial in new[] { new long[] { 2, 2 }, new long[] { 2, 1, 2 } })
                {
                    yield return new object[] { "Dice", mode, spatial };
                    yield return new object[] { "Jaccard", mode, spatial };
                    yield return new object[] { "Tversky", mode, spatial };
                    yield return new object[] { "FocalTversky", mode, spatial };
                }
        }

        /// <summary>
        /// Probabilities (fromLogits: false) that predict classes 0 and 1 exactly and never class 2, which the target
        /// never holds either: classes 0 and 1 are perfect, class 2 is 0/0. Every per-class loss is 0.
        /// </summary>
        [Theory]
        [MemberData(nameof(Cases))]
        public void AClassAbsentFromTargetAndPredictionCountsAsPerfect(string name, LossMode mode, long[] spatial)
        {
            using var loss = Create(name, mode);
            var (probabilities, target) = AbsentClassTwo(mode, spatial);
            using (probabilities)
            using (target)
            {
                using var perClass = Create(name, mode, nn.Reduction.None).call(probabilities, target);
                perClass.shape.Should().Equal(2, 3);
                // Focal Tversky clamps 1 − TI at 1e-7 before the power 0.75 (a finite gradient at 0): (1e-7)^0.75 ≈ 5.6e-6.
                double floor = name == "FocalTversky" ? Math.Pow(1e-7, 0.75) : 0.0;
                perClass.max().item<double>().Should().BeApproximately(floor, 1e-12, "every class, the absent one included, is perfect");
                perClass.min().item<double>().Should().BeApproximately(floor, 1e-12);
                using var value = loss.call(probabilities, target);
                value.backward();
                probabilities.grad!.isfinite().all().item<bool>().Should().BeTrue();
            }
        }

        [Fact]
        public void GeneralizedDiceOfAnAllEmptyPredictionAndTargetIsPerfect()
        {
            using var loss = new GeneralizedDiceLoss(LossMode.Multilabel, fromLogits: false, smoothNumerator: 0, smoothDenominator: 0, reduction: nn.Reduction.None);
            using var p = zeros(new long[] { 2, 3, 2, 2 }, ScalarType.Float64).requires_grad_(true);
            using var t = zeros(new long[] { 2, 3, 2, 2 }, ScalarType.Float64);
            using var value = loss.call(p, t);
            value.data<double>().ToArray().Should().Equal(0.0, 0.0);
            value.sum().backward();
            p.grad!.isfinite().all().item<bool>().Should().BeTrue();
        }

        [Fact]
        public void ComboAndExpLogWithZeroSmoothingStayFinite()
        {
            var (p, t) = AbsentClassTwo(LossMode.Multiclass, new long[] { 2, 2 });
            using (p)
            using (t)
            {
                using var combo = new ComboLoss(fromLogits: false, smooth: 0);
                using var expLog = new ExponentialLogarithmicLoss(fromLogits: false, smoothNumerator: 0, smoothDenominator: 0);
                foreach (var loss in new SegmentationLoss[] { combo, expLog })
                {
                    using var value = loss.call(p, t);
                    double.IsFinite(value.item<double>()).Should().BeTrue(loss.DisplayName);
                    value.backward();
                    p.grad!.isfinite().all().item<bool>().Should().BeTrue(loss.DisplayName);
                    p.grad = null;
                }
                // Combo: α·mBCE − (1 − α)·Σ_c DSC_c with every DSC_c = 1 (perfect classes and the 0/0 one) and a
                // clamped BCE of exact probabilities: −0.5·3 plus the BCE term, which is ≈ 0 (clamped at 1e-7).
                using var comboValue = combo.call(p, t);
                comboValue.item<double>().Should().BeApproximately(-1.5, 1e-5);
            }
        }

        private static SegmentationLoss Create(string name, LossMode mode, nn.Reduction reduction = nn.Reduction.Mean) => name switch
        {
            "Dice" => new DiceLoss(mode, fromLogits: false, smoothNumerator: 0, smoothDenominator: 0, reduction: reduction),
            "Jaccard" => new DiceLoss(mode, fromLogits: false, smoothNumerator: 0, smoothDenominator: 0, jaccard: true, reduction: reduction),
            "Tversky" => new TverskyLoss(mode, fromLogits: false, smoothNumerator: 0, smoothDenominator: 0, reduction: reduction),
            _ => new TverskyLoss(mode, fromLogits: false, gamma: 0.75, smoothNumerator: 0, smoothDenominator: 0, reduction: reduction),
        };

        private static (Tensor Probabilities, Tensor Target) AbsentClassTwo(LossMode mode, long[] spatial)
        {
            using var scope = NewDisposeScope();
            long pixels = 1;
            foreach (var d in spatial) pixels *= d;
            var labels = (arange(2 * pixels) % 2).reshape(new[] { 2L }.Concat(spatial).ToArray());
            var p = OneHot.Encode(labels, 3, dtype: ScalarType.Float64).clone().requires_grad_(true);
            var target = mode == LossMode.Multiclass ? labels : OneHot.Encode(labels, 3, dtype: ScalarType.Float64);
            return (p.MoveToOuterDisposeScope().DetachFromDisposeScope(), target.MoveToOuterDisposeScope().DetachFromDisposeScope());
        }
    }
}
