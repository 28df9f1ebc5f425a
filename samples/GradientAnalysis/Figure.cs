namespace SegLoss.GradientAnalysis
{
    /// <summary>A written figure: its file name and one sentence on what it shows, for the markdown index.</summary>
    internal sealed record Figure(string File, string Title, string Shows);
}
