using System;
using static TorchSharp.torch;

namespace SegLoss.Quickstart
{
    /// <summary>
    /// A training and a validation split: images (N, channels, H, W) float32, standardised; labels (N, H, W) int64
    /// in [0, classes). Owns its tensors.
    /// </summary>
    internal sealed class SegmentationData : IDisposable
    {
        internal SegmentationData(string description, string[] classNames, Tensor trainImages, Tensor trainLabels, Tensor valImages, Tensor valLabels)
        {
            Description = description;
            ClassNames = classNames;
            TrainImages = trainImages;
            TrainLabels = trainLabels;
            ValImages = valImages;
            ValLabels = valLabels;
        }

        internal string Description { get; }
        internal string[] ClassNames { get; }
        internal int Classes => ClassNames.Length;
        internal long Channels => TrainImages.shape[1];
        internal Tensor TrainImages { get; }
        internal Tensor TrainLabels { get; }
        internal Tensor ValImages { get; }
        internal Tensor ValLabels { get; }

        public void Dispose()
        {
            TrainImages.Dispose();
            TrainLabels.Dispose();
            ValImages.Dispose();
            ValLabels.Dispose();
        }
    }
}
