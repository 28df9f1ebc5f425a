using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    public class ComboLossTests
    {
        [Fact]
        public void BinaryMatchesHandComputedValue()
        {
            using var p = tensor(new[] { 0.9, 0.2, 0.6, 0.1 }, new long[] { 1, 1, 4 });
            using var t = tensor(new[] { 1.0, 0, 1, 0 }, new long[] { 1, 1, 4 });
            double dsc = (2 * 1.5 + 1) / (1.8 + 2 + 1);
            foreach (var (alpha, beta) in new[] { (0.5, 0.5), (0.3, 0.8) })
            {
                double bce = -(beta * (Math.Log(0.9) + Math.Log(0.6)) + (1 - beta) * (Math.Log(0.8) + Math.Log(0.9))) / 4;
                using var loss = new ComboLoss(LossMode.Binary, fromLogits: false, alpha: alpha, beta: beta);
                Value(loss, p, t).Should().BeApproximately(alpha * bce - (1 - alpha) * dsc, 1e-12);
            }
        }

        [Fact]
        public void BetaTradesFalseNegativesAgainstFalsePositives()
        {
            using var t = tensor(new[] { 1.0, 1, 0, 0 }, new long[] { 1, 1, 4 });
            using var missed = tensor(new[] { 0.9, 0.1, 0.1, 0.1 }, new long[] { 1, 1, 4 });   // one false negative
            using var spurious = tensor(new[] { 0.9, 0.9, 0.9, 0.1 }, new long[] { 1, 1, 4 }); // one false positive
            using var fnHeavy = new ComboLoss(LossMode.Binary, fromLogits: false, alpha: 1, beta: 0.8);
            using var fpHeavy = new ComboLoss(LossMode.Binary, fromLogits: false, alpha: 1, beta: 0.2);
            Value(fnHeavy, missed, t).Should().BeGreaterThan(Value(fnHeavy, spurious, t), "β > 0.5 penalises false negatives more");
            Value(fpHeavy, spurious, t).Should().BeGreaterThan(Value(fpHeavy, missed, t), "β < 0.5 penalises false positives more");
        }

        [Fact]
        public void PerfectMulticlassPredictionReachesMinusOneMinusAlphaPerClass()
        {
            using var scope = NewDisposeScope();
            var y = TestData.Labels(5, 3, 2, 4, 4);
            var oneHot = OneHot.Encode(y, 3, dtype: ScalarType.Float64);
            using var loss = new ComboLoss(fromLogits: false, alpha: 0.4);
            Value(loss, oneHot, y).Should().BeApproximately(-0.6 * 3, 1e-5);
            using var logits = new ComboLoss();
            var perfect = TestData.PerfectLogits(y, 3);
            double previous = Value(logits, perfect, y);
            previous.Should().BeApproximately(-1.5, 1e-6);
            foreach (var flatten in new[] { 4.0, 16.0, 64.0 })
            {
                double value = Value(logits, perfect * (1.0 / flatten), y);
                value.Should().BeGreaterThan(previous);
                previous = value;
            }
        }

        [Fact]
        public void MulticlassEqualsMultilabelOnSoftmaxAndOneHot()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(3, 2, 3, 3, 3);
            var y = TestData.Labels(4, 3, 2, 3, 3);
            var oneHot = OneHot.Encode(y, 3, dtype: ScalarType.Float64);
            using var multiclass = new ComboLoss(fromLogits: false, batch: false, reduction: nn.Reduction.None);
            using var multilabel = new ComboLoss(LossMode.Multilabel, fromLogits: false, batch: false, reduction: nn.Reduction.None);
            var a = multiclass.call(x.softmax(1), y).data<double>().ToArray();
            var b = multilabel.call(x.softmax(1), oneHot).data<double>().ToArray();
            a.Should().HaveCount(2);
            a.Should().Equal(b, (u, v) => Math.Abs(u - v) < 1e-12);
            using var logits = new ComboLoss(batch: false, reduction: nn.Reduction.None);
            logits.call(x, y).data<double>().ToArray().Should().Equal(a, (u, v) => Math.Abs(u - v) < 1e-9, "log-space logs agree with clamped logs away from 0 and 1");
            using var mean = new ComboLoss(batch: false);
            Value(mean, x, y).Should().BeApproximately(a.Average(), 1e-9);
        }

        [Fact]
        public void ConstructorRejectsBadOptions()
        {
            FluentActions.Invoking(() => new ComboLoss(alpha: 1.5)).Should().Throw<ArgumentException>().WithParameterName("alpha");
            FluentActions.Invoking(() => new ComboLoss(beta: -0.5)).Should().Throw<ArgumentException>().WithParameterName("beta");
            FluentActions.Invoking(() => new ComboLoss(smooth: -1)).Should().Throw<ArgumentException>().WithParameterName("smooth");
        }
    }
}
