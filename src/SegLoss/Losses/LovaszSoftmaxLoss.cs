using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Lovász-Softmax loss (Berman, Rannen Triki and Blaschko, "The Lovász-Softmax loss: A tractable surrogate for
    /// the optimization of the intersection-over-union measure in neural networks", CVPR 2018): the Lovász extension
    /// of the per-class Jaccard loss, evaluated at the per-pixel errors of the predicted probabilities.
    /// </summary>
    /// <remarks>
    /// <para>Per class c with probabilities p_c and ground truth g_c, the errors are m_i = |g_c,i − p_c,i|. With π
    /// sorting m in decreasing order, the loss is Δ̄_J(m) = Σ_i m_π(i)·(Δ_J({π1..πi}) − Δ_J({π1..πi−1})), where
    /// Δ_J(M) = 1 − |G∖M| / |G∪M| is the Jaccard loss when the pixels M are mispredicted. The weights come from the
    /// sorted ground truth (Berman's Algorithm 1): G = Σg, inter_i = G − cumsum(g)_i, union_i = G + cumsum(1 − g)_i,
    /// J_i = 1 − inter_i/union_i, w_1 = J_1, w_i = J_i − J_{i−1}; gradients flow only through the sorted errors.</para>
    /// <para>Modes: Multiclass (default) uses p = softmax over the channels and g = one-hot labels, or soft
    /// (N, C, *spatial) targets in [0, 1] — sorting by error still works, but Δ̄_J is the Lovász extension of the
    /// Jaccard loss only for 0/1 targets. Binary and Multilabel use p = sigmoid per channel and treat each channel as
    /// its own foreground-versus-rest "class" with errors |g − p| (Berman's "Lovász-sigmoid"); targets are in [0, 1].
    /// With <c>fromLogits: false</c> the input already holds probabilities.</para>
    /// <para>Pools: by default (<c>perImage: false</c>, Berman's default) all pixels of the batch are pooled per
    /// class; with <c>perImage: true</c> every (image, class) pair is its own pool. All pools are sorted by one
    /// batched sort and their weights built by batched cumulative sums. On the CPU (float32/float64) that sort is a
    /// managed radix sort that writes each pixel's Lovász weight at its own position (the loss is then Σ m·w, with no
    /// gather along the sorted order), about 7× faster than libtorch 2.10's sort and gathers; CUDA tensors use
    /// libtorch's sort. Both give the same value and gradient.</para>
    /// <para>Classes (<see cref="LovaszClasses"/>): Present (default) skips classes with no foreground in the
    /// pool's non-ignored target; All keeps them (an absent class then costs its largest error).</para>
    /// <para>Class subset (<c>classSubset</c>): the listed class indices only, in the order given (the softmax still
    /// runs over all C channels); <c>classes</c> then applies within the subset (Present: the listed classes present in
    /// the pool; All: every listed class). Berman's <c>lovasz_softmax(probas, labels, classes=[1, 2])</c> averages
    /// exactly the listed classes, present or not: <c>classSubset: new[] { 1, 2 }, classes: LovaszClasses.All</c>.
    /// The indices must be distinct and non-negative (checked by the constructor) and below C (checked at each call,
    /// an <see cref="ArgumentException"/> naming <c>classSubset</c>). None then returns one column per listed class,
    /// (N, K) or (K) for K listed classes.</para>
    /// <para>Reduction: None returns (N, C) per image and class with <c>perImage</c>, or (C) per class otherwise,
    /// with skipped (absent) classes as 0 under Present. Sum adds those values. Mean is the mean over classes — over
    /// the present classes only under Present, and 0 (with a zero gradient, still connected to the input) when none
    /// is present; with <c>perImage</c> it is Berman's mean over images of each image's class mean, an image with
    /// no present class (every pixel ignored) counting as 0.</para>
    /// <para>Ignored pixels (<c>ignoreIndex</c>) are left out of every pool: they change neither the value nor the
    /// gradient. Works best to fine-tune after, or in combination with, cross-entropy (Berman et al.).</para>
    /// </remarks>
    public sealed class LovaszSoftmaxLoss : SegmentationLoss
    {
        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Multiclass (default, softmax), Binary or Multilabel (sigmoid, each channel its own class).</param>
        /// <param name="fromLogits">True (default): the input holds logits; false: probabilities.</param>
        /// <param name="classes">Present (default): skip classes absent from the pool's target; All: keep every class.</param>
        /// <param name="perImage">False (default): pool the pixels of the whole batch per class; true: one pool per image and class.</param>
        /// <param name="ignoreIndex">Target value whose pixels are left out, or null.</param>
        /// <param name="reduction">Mean (default), Sum or None.</param>
        /// <param name="classSubset">Distinct class (channel) indices to average over, in this order, or null (default) for every class.</param>
        public LovaszSoftmaxLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true, LovaszClasses classes = LovaszClasses.Present,
            bool perImage = false, long? ignoreIndex = null, nn.Reduction reduction = nn.Reduction.Mean, int[]? classSubset = null)
            : base(reduction)
        {
            Arguments.Mode(mode, nameof(mode));
            Arguments.Reduction(reduction, nameof(reduction));
            Arguments.Defined(classes, nameof(classes));
            if (classSubset is not null)
            {
                if (classSubset.Length == 0)
                    throw new ArgumentException($"{nameof(classSubset)} is empty; give at least one class index, or null for every class", nameof(classSubset));
                int negative = Array.FindIndex(classSubset, k => k < 0);
                if (negative >= 0)
                    throw new ArgumentException($"{nameof(classSubset)}[{negative}] is {classSubset[negative]} but class indices are non-negative", nameof(classSubset));
                var repeated = classSubset.GroupBy(k => k).FirstOrDefault(g => g.Count() > 1);
                if (repeated is not null)
                    throw new ArgumentException($"{nameof(classSubset)} lists class {repeated.Key} more than once; each class can be averaged once", nameof(classSubset));
                _classSubset = (int[])classSubset.Clone();
            }
            Mode = mode;
            FromLogits = fromLogits;
            Classes = classes;
            PerImage = perImage;
            IgnoreIndex = ignoreIndex;
        }

        private readonly int[]? _classSubset;

        /// <summary>How channels relate to the target.</summary>
        public LossMode Mode { get; }

        /// <summary>True when the input holds logits, false for probabilities.</summary>
        public bool FromLogits { get; }

        /// <summary>Which classes are averaged: present ones only, or all.</summary>
        public LovaszClasses Classes { get; }

        /// <summary>Whether each image is its own pool (true) or the batch is pooled per class (false).</summary>
        public bool PerImage { get; }

        /// <summary>Target value whose pixels are ignored, or null.</summary>
        public long? IgnoreIndex { get; }

        /// <summary>The class indices averaged over (in order), or null for every class.</summary>
        public IReadOnlyList<int>? ClassSubset => _classSubset;

        /// <inheritdoc/>
        public override string DisplayName => "LovaszSoftmax";

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target)
        {
            var inputs = SegmentationInputs.Create(input, target, Mode, IgnoreIndex, FromLogits);
            long n = inputs.N, c = inputs.C, s = inputs.S;
            var probabilities = Activation.Probabilities(inputs.Input, Mode, FromLogits);
            var g = inputs.DenseTarget();
            var validity = inputs.Valid;
            if (_classSubset is not null)
            {
                // The softmax above ran over every channel; only the listed classes are measured.
                int outside = Array.FindIndex(_classSubset, k => k >= c);
                if (outside >= 0)
                    throw new ArgumentException($"classSubset[{outside}] is class {_classSubset[outside]} but the input has {c} channels (classes 0..{c - 1})", "classSubset");
                var index = tensor(_classSubset.Select(k => (long)k).ToArray(), ScalarType.Int64, probabilities.device);
                probabilities = probabilities.index_select(1, index);
                g = g.index_select(1, index);
                // Multilabel validity is per entry (N, C, S); Multiclass and Binary masks have one channel.
                if (validity is not null && validity.shape[1] > 1) validity = validity.index_select(1, index);
                c = _classSubset.Length;
            }
            var errors = (g - probabilities).abs();
            var valid = validity?.expand(n, c, s);
            var rows = LovaszExtension.Loss(
                LovaszExtension.Rows(errors, PerImage),
                LovaszExtension.Rows(g, PerImage),
                valid is null ? null : LovaszExtension.Rows(valid, PerImage),
                hardTargets: inputs.HasLabels);
            var perClass = PerImage ? rows.reshape(n, c) : rows;
            if (Classes == LovaszClasses.All)
            {
                return reduction switch
                {
                    nn.Reduction.None => perClass,
                    nn.Reduction.Sum => perClass.sum(),
                    _ => perClass.mean(),
                };
            }

            // Ignored pixels are already 0 in g, so the foreground mass counts non-ignored pixels only.
            var present = (PerImage ? g.sum(2) : g.sum(new long[] { 0, 2 })).gt(0).to(perClass.dtype);
            var kept = perClass * present;
            switch (reduction)
            {
                case nn.Reduction.None:
                    return kept;
                case nn.Reduction.Sum:
                    return kept.sum();
                default:
                    if (!PerImage) return PixelReduction.SafeDivide(kept.sum(), present.sum());
                    return PixelReduction.SafeDivide(kept.sum(1), present.sum(1)).mean();
            }
        }
    }
}
