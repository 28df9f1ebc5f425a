namespace SegLoss
{
    /// <summary>How the channels of the input relate to the target.</summary>
    public enum LossMode
    {
        /// <summary>
        /// One foreground channel (C = 1) with a sigmoid; target (N, 1, *spatial) or (N, *spatial) holding values in
        /// [0, 1] (integer targets may also hold the ignore index).
        /// </summary>
        Binary,

        /// <summary>
        /// C ≥ 2 mutually exclusive classes with a softmax over dim 1; target (N, *spatial) integer labels in [0, C)
        /// (or the ignore index), or (N, C, *spatial) floating class probabilities (soft labels).
        /// </summary>
        Multiclass,

        /// <summary>
        /// C independent sigmoid channels; target (N, C, *spatial) with values in [0, 1] (integer targets may also
        /// hold the ignore index).
        /// </summary>
        Multilabel,
    }
}
