using System;

namespace SegLoss.Quickstart
{
    /// <summary>The losses the sample can train with (--loss NAME).</summary>
    internal static class LossFactory
    {
        internal const string Names = "dice+ce (default), dice, ce, focal, dice+focal, gdl, gdl+ce, tversky, focal-tversky, explog, lovasz, lovasz+ce, topk, combo";

        internal static SegmentationLoss Create(string name) => name.ToLowerInvariant() switch
        {
            "dice+ce" => new DiceLoss() + new CrossEntropyLoss(),
            "dice" => new DiceLoss(),
            "ce" => new CrossEntropyLoss(),
            "focal" => new FocalLoss(),
            "dice+focal" => new DiceLoss() + new FocalLoss(),
            "gdl" => new GeneralizedDiceLoss(),
            "gdl+ce" => new GeneralizedDiceLoss() + new CrossEntropyLoss(),
            "tversky" => new TverskyLoss(),
            "focal-tversky" => new TverskyLoss(gamma: 0.75),
            "explog" => new ExponentialLogarithmicLoss(),
            "lovasz" => new LovaszSoftmaxLoss(),
            "lovasz+ce" => new LovaszSoftmaxLoss() + new CrossEntropyLoss(),
            "topk" => new TopKCrossEntropyLoss(),
            "combo" => new ComboLoss(),
            _ => throw new ArgumentException($"unknown loss '{name}'; choose one of: {Names}", nameof(name)),
        };
    }
}
