using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using SegLoss.Maps;
using static TorchSharp.torch;

namespace SegLoss.Benchmarks
{
    /// <summary>
    /// A loss under test: a name and how to build it for a workload (throws ArgumentException when the workload's
    /// mode is not supported). Constants a loss takes besides (input, target) are made here, outside the timing.
    /// </summary>
    internal sealed record LossEntry(string Name, Func<Workload, LossInstance> Create);

    /// <summary>A constructed loss: how to call it, and what to dispose afterwards (module, precomputed maps).</summary>
    internal sealed class LossInstance : IDisposable
    {
        private readonly Func<Tensor, Tensor, Tensor> _call;
        private readonly IDisposable[] _owned;

        public LossInstance(Func<Tensor, Tensor, Tensor> call, params IDisposable[] owned)
        {
            _call = call;
            _owned = owned;
        }

        public static LossInstance Of(SegmentationLoss loss) => new(loss.call, loss);

        public Tensor Call(Tensor input, Tensor target) => _call(input, target);

        public void Dispose()
        {
            foreach (var owned in _owned) owned.Dispose();
        }
    }

    /// <summary>
    /// Every loss the benchmarks run, each with default options. Adding a loss is one line in <see cref="Build"/>;
    /// public SegmentationLoss types not listed there (losses added since) are picked up by reflection.
    /// </summary>
    internal static class LossRegistry
    {
        public static IReadOnlyList<LossEntry> All { get; } = Build();

        public static LossEntry Find(string name) =>
            All.FirstOrDefault(e => e.Name == name) ?? throw new ArgumentException($"unknown loss '{name}'", nameof(name));

        private static List<LossEntry> Build()
        {
            var entries = new List<LossEntry>();
            var listed = new HashSet<Type>();
            void Add<T>(string name, Func<LossMode, SegmentationLoss> create)
            {
                listed.Add(typeof(T));
                entries.Add(new LossEntry(name, w => LossInstance.Of(create(w.Mode))));
            }

            Add<CrossEntropyLoss>("CE", m => new CrossEntropyLoss(mode: m));
            Add<BalancedCrossEntropyLoss>("BalancedCE", m => new BalancedCrossEntropyLoss(mode: m));
            Add<FocalLoss>("Focal", m => new FocalLoss(mode: m));
            Add<DiceLoss>("Dice", m => new DiceLoss(mode: m));
            Add<GeneralizedDiceLoss>("GeneralizedDice", m => new GeneralizedDiceLoss(mode: m));
            Add<TverskyLoss>("Tversky", m => new TverskyLoss(mode: m));
            entries.Add(new LossEntry("FocalTversky", w => LossInstance.Of(new TverskyLoss(mode: w.Mode, gamma: 0.75))));
            Add<ExponentialLogarithmicLoss>("ExpLog", m => new ExponentialLogarithmicLoss(mode: m));
            Add<ComboLoss>("Combo", m => new ComboLoss(mode: m));
            Add<LovaszSoftmaxLoss>("LovaszSoftmax", m => new LovaszSoftmaxLoss(mode: m));
            Add<LovaszHingeLoss>("LovaszHinge", m => new LovaszHingeLoss(mode: m));
            Add<HausdorffDistanceLoss>("HausdorffDT", m => new HausdorffDistanceLoss(mode: m));
            Add<BoundaryLoss>("Boundary", m => new BoundaryLoss(mode: m));
            Add<HausdorffErosionLoss>("HausdorffER", m => new HausdorffErosionLoss(mode: m));
            Add<LogHausdorffDistanceLoss>("LogHausdorffDT", m => new LogHausdorffDistanceLoss(mode: m));
            Add<DistancePenalizedCrossEntropyLoss>("DistancePenalizedCE", m => new DistancePenalizedCrossEntropyLoss(mode: m));
            Add<PenaltyGeneralizedDiceLoss>("PenaltyGeneralizedDice", m => new PenaltyGeneralizedDiceLoss(mode: m));
            Add<SensitivitySpecificityLoss>("SensitivitySpecificity", m => new SensitivitySpecificityLoss(mode: m));
            Add<WeightedSumLoss>("Dice+CE", m => new DiceLoss(mode: m) + new CrossEntropyLoss(mode: m));
            Add<WeightedSumLoss>("Dice+Focal", m => new DiceLoss(mode: m) + new FocalLoss(mode: m));
            entries.Add(new LossEntry("PixelWeightedCE", w =>
            {
                var loss = new PixelWeightedCrossEntropyLoss(mode: w.Mode);
                return new LossInstance((input, target) => loss.call(input, target, w.WeightMap), loss);
            }));
            entries.Add(new LossEntry("Boundary(maps)", w =>
            {
                var loss = new BoundaryLoss(mode: w.Mode);
                var maps = w.Mode == LossMode.Binary
                    ? SignedDistanceMap.FromMask(w.Target)
                    : SignedDistanceMap.FromLabels(w.Target, w.Input.size(1));
                return new LossInstance((input, target) => loss.call(input, target, maps), loss, maps);
            }));

            entries.Add(new LossEntry("DistancePenalizedCE(maps)", w =>
            {
                var loss = new DistancePenalizedCrossEntropyLoss(mode: w.Mode);
                var maps = w.Mode == LossMode.Binary
                    ? DistancePenalizedCrossEntropyLoss.DistanceMapsFromMask(w.Target)
                    : DistancePenalizedCrossEntropyLoss.DistanceMaps(w.Target, w.Input.size(1));
                return new LossInstance((input, target) => loss.call(input, target, maps), loss, maps);
            }));

            // MONAI's MaskedDiceLoss: the Dice loss over a region of interest (here about 90 % of the pixels).
            entries.Add(new LossEntry("MaskedDice", w =>
            {
                var loss = new MaskedLoss(new DiceLoss(mode: w.Mode));
                var mask = w.WeightMap.gt(0.6).unsqueeze(1);
                return new LossInstance((input, target) => loss.call(input, target, mask), loss, mask);
            }));

            entries.AddRange(Discover(listed));
            return entries;
        }

        /// <summary>Public, non-abstract SegmentationLoss types with a constructor whose parameters all have defaults.</summary>
        private static IEnumerable<LossEntry> Discover(HashSet<Type> listed)
        {
            var types = typeof(SegmentationLoss).Assembly.GetExportedTypes()
                .Where(t => t.IsClass && !t.IsAbstract && typeof(SegmentationLoss).IsAssignableFrom(t) && !listed.Contains(t))
                .OrderBy(t => t.Name, StringComparer.Ordinal);
            foreach (var type in types)
            {
                var ctor = type.GetConstructors().FirstOrDefault(c => c.GetParameters().All(p => p.HasDefaultValue));
                if (ctor is null) continue;
                string name = type.Name.EndsWith("Loss", StringComparison.Ordinal) ? type.Name[..^4] : type.Name;
                yield return new LossEntry(name, w => LossInstance.Of(Construct(ctor, w.Mode)));
            }
        }

        private static SegmentationLoss Construct(ConstructorInfo ctor, LossMode mode)
        {
            var args = ctor.GetParameters()
                .Select(p => p.ParameterType == typeof(LossMode) && p.Name == "mode" ? mode : Type.Missing)
                .ToArray();
            try
            {
                return (SegmentationLoss)ctor.Invoke(args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
        }
    }
}
