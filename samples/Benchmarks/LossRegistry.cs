using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using static TorchSharp.torch;

namespace SegLoss.Benchmarks
{
    /// <summary>A loss under test: a name and how to build it for a mode (throws ArgumentException if unsupported).</summary>
    internal sealed record LossEntry(string Name, Func<LossMode, LossInstance> Create);

    /// <summary>A constructed loss module and how to call it on a workload.</summary>
    internal sealed class LossInstance : IDisposable
    {
        private readonly nn.Module _module;
        private readonly Func<Workload, Tensor, Tensor, Tensor> _call;

        public LossInstance(nn.Module module, Func<Workload, Tensor, Tensor, Tensor> call)
        {
            _module = module;
            _call = call;
        }

        public static LossInstance Of(SegmentationLoss loss) => new(loss, (_, input, target) => loss.call(input, target));

        public Tensor Call(Workload workload, Tensor input, Tensor target) => _call(workload, input, target);

        public void Dispose() => _module.Dispose();
    }

    /// <summary>
    /// Every loss the benchmarks run. Adding a loss is one line in <see cref="Build"/>; public SegmentationLoss
    /// types not listed there (a loss added since) are picked up by reflection with their default options.
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
                entries.Add(new LossEntry(name, mode => LossInstance.Of(create(mode))));
            }

            Add<CrossEntropyLoss>("CE", m => new CrossEntropyLoss(mode: m));
            Add<BalancedCrossEntropyLoss>("BalancedCE", m => new BalancedCrossEntropyLoss(mode: m));
            Add<FocalLoss>("Focal", m => new FocalLoss(mode: m));
            Add<DiceLoss>("Dice", m => new DiceLoss(mode: m));
            Add<WeightedSumLoss>("Dice+CE", m => new DiceLoss(mode: m) + new CrossEntropyLoss(mode: m));
            Add<WeightedSumLoss>("Dice+Focal", m => new DiceLoss(mode: m) + new FocalLoss(mode: m));
            entries.Add(new LossEntry("PixelWeightedCE", m =>
            {
                var loss = new PixelWeightedCrossEntropyLoss(mode: m);
                return new LossInstance(loss, (w, input, target) => loss.call(input, target, w.WeightMap));
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
                yield return new LossEntry(name, mode => LossInstance.Of(Construct(ctor, mode)));
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
