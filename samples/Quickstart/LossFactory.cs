using System;
using System.Linq;

namespace SegLoss.Quickstart
{
    /// <summary>The losses the sample can train with (--loss NAME).</summary>
    internal static class LossFactory
    {
        private static readonly (string name, Func<SegmentationLoss> make)[] Losses =
        {
            ("dice+ce", () => new DiceLoss() + new CrossEntropyLoss()),
            ("dice", () => new DiceLoss()),
            ("ce", () => new CrossEntropyLoss()),
            ("focal", () => new FocalLoss()),
            ("dice+focal", () => new DiceLoss() + new FocalLoss()),
            ("gdl", () => new GeneralizedDiceLoss()),
            ("gdl+ce", () => new GeneralizedDiceLoss() + new CrossEntropyLoss()),
            ("tversky", () => new TverskyLoss()),
            ("focal-tversky", () => new TverskyLoss(gamma: 0.75)),
            ("explog", () => new ExponentialLogarithmicLoss()),
            ("lovasz", () => new LovaszSoftmaxLoss()),
            ("lovasz+ce", () => new LovaszSoftmaxLoss() + new CrossEntropyLoss()),
            ("topk", () => new TopKCrossEntropyLoss()),
            ("combo", () => new ComboLoss()),
        };

        internal static string Names => string.Join(", ", Losses.Select(l => l.name));

        internal static bool IsKnown(string? name) => name is not null && Losses.Any(l => l.name == name.ToLowerInvariant());

        internal static SegmentationLoss Create(string name) =>
            Losses.FirstOrDefault(l => l.name == name.ToLowerInvariant()).make?.Invoke()
            ?? throw new ArgumentException($"unknown loss '{name}'; choose one of: {Names}", nameof(name));
    }
}
