using System;
using System.Collections.Generic;
using TorchSharp;

namespace SegLoss.Tests.Infrastructure
{
    /// <summary>One configured instance of every loss (and composition), for tests that apply to all of them.</summary>
    public static class LossCatalog
    {
        /// <summary>
        /// Fresh instances; <c>binary</c> marks losses that take (N, 1, ...) sigmoid input and 0/1 targets, the
        /// others take (N, 3, ...) logits and labels in [0, 3) with 255 ignored.
        /// </summary>
        public static IEnumerable<(SegmentationLoss loss, bool binary)> Create()
        {
            yield return (new DiceLoss(ignoreIndex: 255), false);
            yield return (new DiceLoss(LossMode.Binary, squaredDenominator: true, batch: true), true);
            yield return (WithWeights(new[] { 1.0, 2.0, 3.0 }, w => new DiceLoss(jaccard: true, classWeights: w, ignoreIndex: 255)), false);
            yield return (new CrossEntropyLoss(ignoreIndex: 255, labelSmoothing: 0.1), false);
            yield return (WithWeights(new[] { 1.0, 2.0, 3.0 }, w => new CrossEntropyLoss(classWeights: w, ignoreIndex: 255)), false);
            yield return (new CrossEntropyLoss(LossMode.Binary), true);
            yield return (new FocalLoss(gamma: 0.5, ignoreIndex: 255), false);
            yield return (new FocalLoss(LossMode.Binary, alpha: 0.25), true);
            yield return (new BalancedCrossEntropyLoss(), true);
            yield return (new GeneralizedDiceLoss(ignoreIndex: 255), false);
            yield return (new TverskyLoss(gamma: 0.75, ignoreIndex: 255), false);
            yield return (new TverskyLoss(LossMode.Binary, batch: true), true);
            yield return (new ExponentialLogarithmicLoss(ignoreIndex: 255), false);
            yield return (new ComboLoss(LossMode.Binary), true);
            yield return (new ComboLoss(ignoreIndex: 255), false);
            yield return (new LovaszSoftmaxLoss(ignoreIndex: 255), false);
            yield return (new LovaszSoftmaxLoss(classes: LovaszClasses.All, perImage: true, ignoreIndex: 255), false);
            yield return (new LovaszHingeLoss(), true);
            yield return (new TopKCrossEntropyLoss(ignoreIndex: 255), false);
            yield return (new TopKCrossEntropyLoss(LossMode.Binary, k: 25, perImage: true), true);
            yield return (new OhemCrossEntropyLoss(minKept: 64, ignoreIndex: 255), false);
            yield return (new DiceMimicLoss(backgroundValue: 0.01, ignoreIndex: 255), false);
            yield return (new ConservativeLoss(ignoreIndex: 255), false);
            yield return (new BoundaryLoss(ignoreIndex: 255), false);
            yield return (new HausdorffDistanceLoss(LossMode.Binary), true);
            yield return (new HausdorffErosionLoss(ignoreIndex: 255), false);
            yield return (new HausdorffErosionLoss(LossMode.Binary, erosions: 3), true);
            yield return (new LogHausdorffDistanceLoss(ignoreIndex: 255), false);
            yield return (new DistancePenalizedCrossEntropyLoss(ignoreIndex: 255), false);
            yield return (new DistancePenalizedCrossEntropyLoss(LossMode.Binary, normalization: PixelWeightNormalization.WeightSum), true);
            yield return (new PenaltyGeneralizedDiceLoss(ignoreIndex: 255), false);
            yield return (new SensitivitySpecificityLoss(ignoreIndex: 255), false);
            yield return (new SensitivitySpecificityLoss(LossMode.Binary, batch: true), true);
            yield return (new JaccardLoss(ignoreIndex: 255), false);
            yield return (WithWeights(new[] { 1.0, 2.0, 3.0 }, w => new JaccardLoss(logLoss: true, batch: true, classWeights: w, ignoreIndex: 255, classMean: ClassMean.AbsentAsZero)), false);
            yield return (WithWeights(new[] { 1.0, 2.0, 3.0 }, w => new DiceLoss(includeBackground: false, classWeights: w, ignoreIndex: 255, classMean: ClassMean.EntryCount)), false);
            yield return (new TverskyLoss(LossMode.Binary, gamma: 0.75, batch: true, classMean: ClassMean.AbsentAsZero, gammaPlacement: GammaPlacement.OnClassMean), true);
            yield return (new GeneralizedWassersteinDiceLoss(ignoreIndex: 255), false);
            yield return (WithWeights(new[] { 0.0, 1, 1, 1, 0, 0.5, 1, 0.5, 0 }, w =>
            {
                using var m = w.reshape(3, 3);
                return new GeneralizedWassersteinDiceLoss(distanceMatrix: m, weighting: WassersteinDiceWeighting.InverseVolume, ignoreIndex: 255);
            }), false);
            yield return (new MatthewsCorrelationLoss(ignoreIndex: 255), false);
            yield return (new MatthewsCorrelationLoss(LossMode.Binary, batch: true), true);
            yield return (new SoftClDiceLoss(ignoreIndex: 255), false);
            yield return (new SoftClDiceLoss(LossMode.Binary, iterations: 5, batch: false), true);
            yield return (new SoftDiceClDiceLoss(ignoreIndex: 255), false);
            yield return (new SoftDiceClDiceLoss(LossMode.Binary, alpha: 0.3, poolClasses: false), true);
            yield return (new DiceLoss(ignoreIndex: 255) + new CrossEntropyLoss(ignoreIndex: 255), false);
            yield return (new DiceLoss(ignoreIndex: 255) + 0.5 * new FocalLoss(ignoreIndex: 255), false);
            yield return (new AsymmetricFocalLoss(ignoreIndex: 255), false);
            yield return (new AsymmetricFocalLoss(LossMode.Binary, gamma: 0.5), true);
            yield return (new AsymmetricFocalTverskyLoss(ignoreIndex: 255), false);
            yield return (new AsymmetricFocalTverskyLoss(LossMode.Binary, batch: true), true);
            yield return (new AsymmetricUnifiedFocalLoss(ignoreIndex: 255), false);
            yield return (new AsymmetricUnifiedFocalLoss(LossMode.Binary, delta: 0.7), true);
            yield return (new NeighborAwareCalibrationLoss(ignoreIndex: 255), false);
            yield return (new NeighborAwareCalibrationLoss(kernel: NeighborhoodKernel.Gaussian, distance: CalibrationDistance.L2, ignoreIndex: 255), false);
            yield return (new CrossEntropyLoss(ignoreIndex: 255, labelSmoothing: 0.1, pixelMean: PixelMean.AllElements), false);
            yield return (new FocalLoss(ignoreIndex: 255, includeBackground: false, pixelMean: PixelMean.ChannelEntries), false);
            yield return (new TopKCrossEntropyLoss(k: 30, ignoreIndex: 255, pixelMean: PixelMean.AllElements), false);
            yield return (new LovaszSoftmaxLoss(classes: LovaszClasses.All, ignoreIndex: 255, classSubset: new[] { 1, 2 }), false);
            yield return (new LovaszHingeLoss(perImage: false, pooling: LovaszHingePooling.AllChannels), true);
            yield return (new OhemCrossEntropyLoss(minKept: 64, ignoreIndex: 255, pixelMean: PixelMean.AllElements), false);
        }

        /// <summary>Builds a loss from a temporary weight tensor, which is disposed (the loss keeps its own copy).</summary>
        private static SegmentationLoss WithWeights(double[] weights, Func<torch.Tensor, SegmentationLoss> make)
        {
            using var w = torch.tensor(weights);
            return make(w);
        }
    }
}
