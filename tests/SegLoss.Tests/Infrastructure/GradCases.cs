namespace SegLoss.Tests.Infrastructure
{
    /// <summary>Gradient-check cases shared by several loss test classes.</summary>
    public static class GradCases
    {
        /// <summary>
        /// Every mode, 2D and 3D, with and without ignored pixels, on spatial sizes large enough for distance maps to
        /// have an inside and an outside (the boundary and Hausdorff losses).
        /// </summary>
        public static Xunit.TheoryData<LossMode, long[], bool> MapLosses() => new()
        {
            { LossMode.Multiclass, new long[] { 2, 3, 4, 3 }, false },
            { LossMode.Multiclass, new long[] { 2, 3, 4, 3 }, true },
            { LossMode.Multiclass, new long[] { 1, 2, 3, 3, 2 }, false },
            { LossMode.Multiclass, new long[] { 1, 3, 2, 3, 3 }, true },
            { LossMode.Binary, new long[] { 2, 1, 4, 3 }, true },
            { LossMode.Binary, new long[] { 1, 1, 3, 2, 3 }, false },
            { LossMode.Multilabel, new long[] { 2, 2, 3, 4 }, true },
            { LossMode.Multilabel, new long[] { 1, 2, 2, 3, 3 }, false },
        };
    }
}
