using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SegLoss.Tests.Porting
{
    /// <summary>
    /// Porting-guide rows for the region losses' peer conventions (the class mean, absent classes, where the focal
    /// exponent goes): each test computes the peer's loss step by step as its code does (smp
    /// <c>segmentation_models_pytorch/losses/{dice,jaccard,tversky,_functional}.py</c> at 5006616, MONAI
    /// <c>monai/losses/{dice,tversky,utils}.py</c> at d388d1c, JunMa11/SegLoss <c>losses_pytorch/dice_loss.py</c>) with
    /// dense float64 tensor formulas, and pins that the SegLoss call gives the same value and the same input gradient.
    /// Inputs are small 2D batches with a class absent from the whole batch and class weights.
    /// </summary>
    public class RegionConventionPortingTests
    {
        private const long Ignore = 255;
        private static readonly double[] Weights = { 0.5, 2.0, 1.5 };

        // ---------------------------------------------------------------- smp

        /// <summary>
        /// smp's forward: activation (log_softmax/logsigmoid then exp), flatten to (N, C, S), ignore mask applied to
        /// prediction and target, one-hot for multiclass; soft_tversky_score over dims (0, 2) with the L1 intersection
        /// (P + G − ‖p − g‖₁)/2 and the denominator clamped at eps; 1 − score or −log(score.clamp_min(eps)); loss *=
        /// (Σ_(0,2) g &gt; 0); then (Σ w·loss)/Σ w or loss.mean(); TverskyLoss raises that mean to γ.
        /// </summary>
        private static Tensor Smp(Tensor logits, Tensor target, string mode, double alpha, double beta, double gamma = 1.0,
            double smooth = 0.0, bool logLoss = false, double[]? classWeights = null, long? ignoreIndex = null, double eps = 1e-7)
        {
            long n = logits.shape[0], c = logits.shape[1];
            var p = mode == "multiclass" ? logits.log_softmax(1).exp() : F.logsigmoid(logits).exp();
            p = p.reshape(n, c, -1);
            Tensor g;
            if (mode == "multiclass")
            {
                var y = target.reshape(n, -1);
                if (ignoreIndex is long ig)
                {
                    var mask = y.ne(ig);
                    p = p * mask.unsqueeze(1);
                    g = F.one_hot(y * mask, c).permute(0, 2, 1) * mask.unsqueeze(1);
                }
                else g = F.one_hot(y, c).permute(0, 2, 1);
            }
            else
            {
                g = target.reshape(n, c, -1);
                if (ignoreIndex is long ig)
                {
                    var mask = g.ne(ig);
                    p = p * mask;
                    g = g * mask;
                }
            }
            g = g.to(ScalarType.Float64);
            var dims = new long[] { 0, 2 };
            var outputSum = p.sum(dims);
            var targetSum = g.sum(dims);
            var difference = (p - g).abs().sum(dims);
            var intersection = (outputSum + targetSum - difference) / 2;
            var fp = outputSum - intersection;
            var fn = targetSum - intersection;
            var score = (intersection + smooth) / (intersection + alpha * fp + beta * fn + smooth).clamp_min(eps);
            var loss = logLoss ? score.clamp_min(eps).log().neg() : 1.0 - score;
            loss = loss * g.sum(dims).gt(0).to(loss.dtype);
            Tensor mean;
            if (classWeights is not null)
            {
                var w = tensor(classWeights, ScalarType.Float64);
                mean = (loss * w).sum() / w.sum();
            }
            else mean = loss.mean();
            return gamma == 1.0 ? mean : mean.pow(gamma);
        }

        [Fact]
        public void SmpDiceLossMulticlassWithClassWeightsAndIgnoreIndex()
        {
            using var scope = NewDisposeScope();
            // smp.losses.DiceLoss("multiclass", class_weights=[0.5, 2, 1.5], ignore_index=255) (smooth 0, eps 1e-7)
            // ≡ DiceLoss(smoothNumerator: 0, smoothDenominator: 0, batch: true, classWeights, ignoreIndex: 255,
            //            classMean: AbsentAsZero)
            var (x, y) = MulticlassCase(ignore: true);
            using var w = tensor(Weights);
            using var loss = new DiceLoss(smoothNumerator: 0, smoothDenominator: 0, batch: true, classWeights: w, ignoreIndex: Ignore, classMean: ClassMean.AbsentAsZero);
            AssertSame(loss, v => Smp(v, y, "multiclass", 0.5, 0.5, classWeights: Weights, ignoreIndex: Ignore), x, y);
        }

        [Fact]
        public void SmpDiceLossMulticlassLogLossUnweighted()
        {
            using var scope = NewDisposeScope();
            // smp.losses.DiceLoss("multiclass", log_loss=True)
            // ≡ DiceLoss(smoothNumerator: 0, smoothDenominator: 0, logLoss: true, batch: true, classMean: AbsentAsZero)
            var (x, y) = MulticlassCase(ignore: false);
            using var loss = new DiceLoss(smoothNumerator: 0, smoothDenominator: 0, logLoss: true, batch: true, classMean: ClassMean.AbsentAsZero);
            AssertSame(loss, v => Smp(v, y, "multiclass", 0.5, 0.5, logLoss: true), x, y);
        }

        [Fact]
        public void SmpDiceLossSmoothIsDoubledInBothTermsHere()
        {
            using var scope = NewDisposeScope();
            // smp's Dice is soft_tversky_score(α = β = 0.5): (I + s)/((P + G)/2 + s) = (2I + 2s)/(P + G + 2s), so
            // smp.losses.DiceLoss("multiclass", smooth=0.5) ≡ DiceLoss(smoothNumerator: 1, smoothDenominator: 1, batch: true,
            // classMean: AbsentAsZero).
            var (x, y) = MulticlassCase(ignore: false);
            using var loss = new DiceLoss(smoothNumerator: 1, smoothDenominator: 1, batch: true, classMean: ClassMean.AbsentAsZero);
            AssertSame(loss, v => Smp(v, y, "multiclass", 0.5, 0.5, smooth: 0.5), x, y);
        }

        [Fact]
        public void SmpDiceLossMultilabelWithClassWeights()
        {
            using var scope = NewDisposeScope();
            // smp.losses.DiceLoss("multilabel", class_weights=[0.5, 2, 1.5], ignore_index=255)
            // ≡ DiceLoss(LossMode.Multilabel, smoothNumerator: 0, smoothDenominator: 0, batch: true, classWeights,
            //            ignoreIndex: 255, classMean: AbsentAsZero)
            var (x, t) = MultilabelCase();
            using var w = tensor(Weights);
            using var loss = new DiceLoss(LossMode.Multilabel, smoothNumerator: 0, smoothDenominator: 0, batch: true, classWeights: w, ignoreIndex: Ignore, classMean: ClassMean.AbsentAsZero);
            AssertSame(loss, v => Smp(v, t, "multilabel", 0.5, 0.5, classWeights: Weights, ignoreIndex: Ignore), x, t);
        }

        [Fact]
        public void SmpDiceLossBinaryIncludingAnEmptyBatch()
        {
            using var scope = NewDisposeScope();
            // smp.losses.DiceLoss("binary") and DiceLoss("binary", log_loss=True)
            // ≡ DiceLoss(LossMode.Binary, smoothNumerator: 0, smoothDenominator: 0, batch: true, classMean: AbsentAsZero)
            var x = TestData.Logits(61, 2, 1, 3, 4);
            var t = TestData.BinaryTargets(62, 2, 1, 3, 4);
            foreach (bool log in new[] { false, true })
            {
                using var loss = new DiceLoss(LossMode.Binary, smoothNumerator: 0, smoothDenominator: 0, logLoss: log, batch: true, classMean: ClassMean.AbsentAsZero);
                AssertSame(loss, v => Smp(v, t, "binary", 0.5, 0.5, logLoss: log), x, t);
            }
            // No foreground anywhere in the batch: smp returns 0 (and a zero gradient) whatever is predicted.
            var empty = zeros_like(t);
            using var plain = new DiceLoss(LossMode.Binary, smoothNumerator: 0, smoothDenominator: 0, batch: true, classMean: ClassMean.AbsentAsZero);
            LossValues.Value(plain, x, empty).Should().Be(0.0);
            Smp(x, empty, "binary", 0.5, 0.5).item<double>().Should().Be(0.0);
        }

        [Fact]
        public void SmpJaccardLossMulticlassWithClassWeightsAndLogLoss()
        {
            using var scope = NewDisposeScope();
            // smp.losses.JaccardLoss("multiclass", class_weights=[0.5, 2, 1.5], ignore_index=255[, log_loss=True])
            // ≡ JaccardLoss(smoothNumerator: 0, smoothDenominator: 0, batch: true, classWeights, ignoreIndex: 255,
            //               classMean: AbsentAsZero[, logLoss: true])
            var (x, y) = MulticlassCase(ignore: true);
            using var w = tensor(Weights);
            foreach (bool log in new[] { false, true })
            {
                using var loss = new JaccardLoss(smoothNumerator: 0, smoothDenominator: 0, logLoss: log, batch: true, classWeights: w, ignoreIndex: Ignore, classMean: ClassMean.AbsentAsZero);
                AssertSame(loss, v => Smp(v, y, "multiclass", 1.0, 1.0, logLoss: log, classWeights: Weights, ignoreIndex: Ignore), x, y);
            }
        }

        [Fact]
        public void SmpJaccardLossMultilabelAndBinaryWithSmooth()
        {
            using var scope = NewDisposeScope();
            // smp.losses.JaccardLoss(mode, smooth=s): (I + s)/(U + s), so s maps to s_n = s_d = s.
            var (x, t) = MultilabelCase();
            using var multilabel = new JaccardLoss(LossMode.Multilabel, smoothNumerator: 0.3, smoothDenominator: 0.3, batch: true, ignoreIndex: Ignore, classMean: ClassMean.AbsentAsZero);
            AssertSame(multilabel, v => Smp(v, t, "multilabel", 1.0, 1.0, smooth: 0.3, ignoreIndex: Ignore), x, t);

            var xb = TestData.Logits(63, 2, 1, 3, 4);
            var tb = TestData.BinaryTargets(64, 2, 1, 3, 4);
            using var binary = new JaccardLoss(LossMode.Binary, smoothNumerator: 0, smoothDenominator: 0, batch: true, classMean: ClassMean.AbsentAsZero);
            AssertSame(binary, v => Smp(v, tb, "binary", 1.0, 1.0), xb, tb);
        }

        [Fact]
        public void SmpClassesSubsetIsZeroClassWeights()
        {
            using var scope = NewDisposeScope();
            // smp.losses.JaccardLoss("multiclass", classes=[1, 2]): loss[classes].mean() — the same as weights 1 on the
            // chosen classes and 0 elsewhere under the weight-sum mean: classWeights [0, 1, 1].
            var (x, y) = MulticlassCase(ignore: false);
            using var w = tensor(new[] { 0.0, 1.0, 1.0 });
            using var loss = new JaccardLoss(smoothNumerator: 0, smoothDenominator: 0, batch: true, classWeights: w, classMean: ClassMean.AbsentAsZero);
            AssertSame(loss, v => Smp(v, y, "multiclass", 1.0, 1.0, classWeights: new[] { 0.0, 1.0, 1.0 }), x, y);
        }

        [Fact]
        public void SmpTverskyLossWithGammaOnTheClassMean()
        {
            using var scope = NewDisposeScope();
            // smp.losses.TverskyLoss("multiclass", alpha=0.3, beta=0.7, gamma=0.75, class_weights=[0.5, 2, 1.5])
            // ≡ TverskyLoss(alpha: 0.3, beta: 0.7, gamma: 0.75, smoothNumerator: 0, smoothDenominator: 0, batch: true,
            //               classWeights, classMean: AbsentAsZero, gammaPlacement: OnClassMean)
            var (x, y) = MulticlassCase(ignore: true);
            using var w = tensor(Weights);
            foreach (double gamma in new[] { 0.75, 1.0, 2.0 })
            {
                using var loss = new TverskyLoss(alpha: 0.3, beta: 0.7, gamma: gamma, smoothNumerator: 0, smoothDenominator: 0, batch: true,
                    classWeights: w, ignoreIndex: Ignore, classMean: ClassMean.AbsentAsZero, gammaPlacement: GammaPlacement.OnClassMean);
                AssertSame(loss, v => Smp(v, y, "multiclass", 0.3, 0.7, gamma: gamma, classWeights: Weights, ignoreIndex: Ignore), x, y);
            }
            // Multilabel, unweighted, smp's default α = β = 0.5.
            var (xm, tm) = MultilabelCase();
            using var multilabel = new TverskyLoss(LossMode.Multilabel, alpha: 0.5, beta: 0.5, gamma: 1.5, smoothNumerator: 0, smoothDenominator: 0,
                batch: true, ignoreIndex: Ignore, classMean: ClassMean.AbsentAsZero, gammaPlacement: GammaPlacement.OnClassMean);
            AssertSame(multilabel, v => Smp(v, tm, "multilabel", 0.5, 0.5, gamma: 1.5, ignoreIndex: Ignore), xm, tm);
        }

        // ---------------------------------------------------------------- MONAI

        /// <summary>MONAI's softmax + to_onehot_y + include_background handling: p and the one-hot g, channel 0 dropped or not.</summary>
        private static (Tensor p, Tensor g) MonaiSoftmaxOneHot(Tensor logits, Tensor labels, bool includeBackground)
        {
            long c = logits.shape[1];
            var p = softmax(logits, 1);
            var g = F.one_hot(labels, c).permute(0, 3, 1, 2).to(ScalarType.Float64);
            if (!includeBackground)
            {
                p = p.narrow(1, 1, c - 1);
                g = g.narrow(1, 1, c - 1);
            }
            return (p, g);
        }

        /// <summary>
        /// MONAI DiceLoss.forward: tp, fp, fn over the spatial axes (and the batch with batch=True), fp and fn halved,
        /// f = 1 − (2tp + s_nr)/(2(tp + fp + fn) + s_dr), f *= weight, torch.mean(f) / sum / the (N, C) map.
        /// </summary>
        private static Tensor MonaiDice(Tensor p, Tensor g, double[]? weight, bool batch, string reduction, bool jaccard = false,
            double smoothNr = 1e-5, double smoothDr = 1e-5)
        {
            var axes = batch ? new long[] { 0, 2, 3 } : new long[] { 2, 3 };
            var tp = (p * g).sum(axes);
            var fp = p.sum(axes) - tp;
            var fn = g.sum(axes) - tp;
            if (!jaccard)
            {
                fp = fp * 0.5;
                fn = fn * 0.5;
            }
            var f = 1.0 - (2 * tp + smoothNr) / (2 * (tp + fp + fn) + smoothDr);
            if (weight is not null) f = f * tensor(weight, ScalarType.Float64);
            return reduction switch { "mean" => f.mean(), "sum" => f.sum(), _ => f };
        }

        [Fact]
        public void MonaiDiceLossWithWeightDividesByTheEntryCount()
        {
            using var scope = NewDisposeScope();
            // monai.losses.DiceLoss(softmax=True, to_onehot_y=True, include_background=False, weight=[2, 1.5])
            // ≡ DiceLoss(includeBackground: false, classWeights: [any, 2, 1.5], classMean: EntryCount)
            // (MONAI's weight lists only the kept classes; SegLoss's has one entry per channel, channel 0 unused here.)
            var (x, y) = MulticlassCase(ignore: false);
            double[] kept = { 2.0, 1.5 };
            using var w = tensor(Weights);
            foreach (bool batch in new[] { false, true })
                foreach (var (reduction, name) in new[] { (nn.Reduction.Mean, "mean"), (nn.Reduction.Sum, "sum"), (nn.Reduction.None, "none") })
                {
                    using var loss = new DiceLoss(includeBackground: false, batch: batch, classWeights: w, reduction: reduction, classMean: ClassMean.EntryCount);
                    AssertSame(loss, v =>
                    {
                        var (p, g) = MonaiSoftmaxOneHot(v, y, includeBackground: false);
                        return MonaiDice(p, g, kept, batch, name);
                    }, x, y);
                }
            // The default WeightSum mean differs from MONAI's by the factor Σw / K = 3.5 / 2 (here, per-image).
            using var weightSum = new DiceLoss(includeBackground: false, classWeights: w);
            using var entryCount = new DiceLoss(includeBackground: false, classWeights: w, classMean: ClassMean.EntryCount);
            LossValues.Value(entryCount, x, y).Should().BeApproximately(LossValues.Value(weightSum, x, y) * 3.5 / 2, 1e-12);
        }

        [Fact]
        public void MonaiDiceLossJaccardHalvesTheSmoothing()
        {
            using var scope = NewDisposeScope();
            // monai.losses.DiceLoss(softmax=True, to_onehot_y=True, jaccard=True, smooth_nr=a, smooth_dr=b):
            // (2TP + a)/(2(P + G − TP) + b) ≡ JaccardLoss(smoothNumerator: a/2, smoothDenominator: b/2).
            var (x, y) = MulticlassCase(ignore: false);
            using var loss = new JaccardLoss(smoothNumerator: 0.25, smoothDenominator: 0.5);
            AssertSame(loss, v =>
            {
                var (p, g) = MonaiSoftmaxOneHot(v, y, includeBackground: true);
                return MonaiDice(p, g, null, false, "mean", jaccard: true, smoothNr: 0.5, smoothDr: 1.0);
            }, x, y);
        }

        [Fact]
        public void MonaiTverskyLoss()
        {
            using var scope = NewDisposeScope();
            // monai.losses.TverskyLoss(softmax=True, to_onehot_y=True, include_background=False, alpha=α, beta=β):
            // fp = Σ p(1 − g), fn = Σ (1 − p)g, 1 − (tp + s_nr)/(tp + α fp + β fn + s_dr), torch.mean over (N, C − 1)
            // ≡ TverskyLoss(alpha: α, beta: β, includeBackground: false). MONAI's defaults are α = β = 0.5 (SegLoss's 0.3/0.7).
            var (x, y) = MulticlassCase(ignore: false);
            foreach (var (alpha, beta) in new[] { (0.5, 0.5), (0.3, 0.7) })
            {
                using var loss = new TverskyLoss(alpha: alpha, beta: beta, includeBackground: false);
                AssertSame(loss, v =>
                {
                    var (p, g) = MonaiSoftmaxOneHot(v, y, includeBackground: false);
                    var axes = new long[] { 2, 3 };
                    var tp = (p * g).sum(axes);
                    var fp = (p * (1.0 - g)).sum(axes) * alpha;
                    var fn = ((1.0 - p) * g).sum(axes) * beta;
                    return (1.0 - (tp + 1e-5) / (tp + fp + fn + 1e-5)).mean();
                }, x, y);
            }
        }

        // ---------------------------------------------------------------- JunMa11/SegLoss

        [Fact]
        public void JunMa11FocalTverskyRaisesTheMeanTversky()
        {
            using var scope = NewDisposeScope();
            // JunMa11 FocalTversky_loss({apply_nonlin: softmax_helper, batch_dice, do_bg, smooth: 1}, gamma=0.75):
            // TverskyLoss returns −mean(TI) with TI = (tp + 1)/(tp + 0.3 fp + 0.7 fn + 1) per (image, class) (or per
            // class with batch_dice, channel 0 dropped without do_bg); FocalTversky is (1 + that)^γ = (1 − mean TI)^γ.
            // ≡ TverskyLoss(gamma: 0.75, smoothNumerator: 1, smoothDenominator: 1, includeBackground: do_bg,
            //               batch: batch_dice, gammaPlacement: OnClassMean)
            var (x, y) = MulticlassCase(ignore: false);
            foreach (bool batch in new[] { false, true })
                foreach (bool doBg in new[] { true, false })
                {
                    using var loss = new TverskyLoss(gamma: 0.75, smoothNumerator: 1, smoothDenominator: 1, includeBackground: doBg, batch: batch,
                        gammaPlacement: GammaPlacement.OnClassMean);
                    AssertSame(loss, v =>
                    {
                        var (p, g) = MonaiSoftmaxOneHot(v, y, includeBackground: true);
                        var axes = batch ? new long[] { 0, 2, 3 } : new long[] { 2, 3 };
                        var tp = (p * g).sum(axes);
                        var fp = (p * (1.0 - g)).sum(axes);
                        var fn = ((1.0 - p) * g).sum(axes);
                        var tversky = (tp + 1.0) / (tp + 0.3 * fp + 0.7 * fn + 1.0);
                        if (!doBg) tversky = tversky.narrow(-1, 1, tversky.shape[^1] - 1);
                        var tverskyLoss = -tversky.mean();
                        return (1.0 + tverskyLoss).pow(0.75);
                    }, x, y);
                }
        }

        // ---------------------------------------------------------------- helpers

        /// <summary>
        /// Multiclass logits (2, 3, 3, 4) and labels in {0, 1} (class 2 absent from the whole batch; image 1 also
        /// lacks class 1 in its first row), with a few pixels ignored when asked.
        /// </summary>
        private static (Tensor x, Tensor y) MulticlassCase(bool ignore)
        {
            var x = TestData.Logits(71, 2, 3, 3, 4);
            var y = TestData.Labels(72, 2, 2, 3, 4);
            if (ignore) y = y.masked_fill(TestData.Labels(73, 5, 2, 3, 4).eq(0), Ignore);
            return (x, y);
        }

        /// <summary>Multilabel logits (2, 3, 3, 4) and 0/1 targets whose channel 2 is empty in the whole batch, a few entries ignored.</summary>
        private static (Tensor x, Tensor t) MultilabelCase()
        {
            var x = TestData.Logits(74, 2, 3, 3, 4);
            var t = TestData.BinaryTargets(75, 2, 3, 3, 4);
            t.select(1, 2).fill_(0.0);
            t = t.masked_fill(TestData.Labels(76, 6, 2, 3, 4).eq(0).unsqueeze(1).expand(2, 3, 3, 4), Ignore);
            return (x, t);
        }

        /// <summary>The loss and the reference give the same value (or map) and the same input gradient, in float64.</summary>
        private static void AssertSame(SegmentationLoss loss, Func<Tensor, Tensor> reference, Tensor x, Tensor target)
        {
            using var scope = NewDisposeScope();
            var (ours, oursGrad) = Evaluate(v => loss.call(v, target), x);
            var (theirs, theirsGrad) = Evaluate(reference, x);
            ours.Length.Should().Be(theirs.Length, "the same number of output entries");
            for (int i = 0; i < ours.Length; i++)
                ours[i].Should().BeApproximately(theirs[i], 1e-12 + 1e-10 * Math.Abs(theirs[i]), $"output entry {i}");
            double scale = theirsGrad.Max(Math.Abs);
            for (int i = 0; i < oursGrad.Length; i++)
                oursGrad[i].Should().BeApproximately(theirsGrad[i], 1e-12 + 1e-9 * scale, $"d loss / d x[{i}]");
        }

        private static (double[] values, double[] gradient) Evaluate(Func<Tensor, Tensor> f, Tensor x)
        {
            using var scope = NewDisposeScope();
            var leaf = x.detach().clone().requires_grad_(true);
            var y = f(leaf);
            // A fixed weighting of a map's entries, so that every entry's gradient is compared.
            var weights = arange(y.numel(), ScalarType.Float64).reshape(y.shape) * 0.1 + 1.0;
            (y * weights).sum().backward();
            var grad = leaf.grad!.flatten().data<double>().ToArray();
            grad.Should().OnlyContain(v => double.IsFinite(v));
            return (y.detach().flatten().data<double>().ToArray(), grad);
        }
    }
}
