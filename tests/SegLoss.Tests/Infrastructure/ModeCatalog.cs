using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using static TorchSharp.torch;

namespace SegLoss.Tests.Infrastructure
{
    /// <summary>
    /// Every public loss in every mode it accepts, found by reflection (so a new loss is covered without being listed),
    /// built with its defaults; plus the usual sums. With inputs for each mode, for tests of rules that hold for all.
    /// </summary>
    public static class ModeCatalog
    {
        /// <summary>Classes of the Multiclass and Multilabel inputs.</summary>
        public const long Classes = 3;

        /// <summary>Public SegmentationLoss types that wrap other losses rather than define one (covered by their own tests).</summary>
        public static readonly Type[] Wrappers = { typeof(WeightedSumLoss), typeof(TorchLoss) };

        /// <summary>(name, mode, factory) of every public loss in every mode its constructor accepts.</summary>
        public static IEnumerable<(string Name, LossMode Mode, Func<SegmentationLoss> Create)> Cases()
        {
            var types = typeof(SegmentationLoss).Assembly.GetExportedTypes()
                .Where(t => t.IsSealed && typeof(SegmentationLoss).IsAssignableFrom(t) && !Wrappers.Contains(t))
                .OrderBy(t => t.Name, StringComparer.Ordinal);
            foreach (var type in types)
            {
                var ctor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
                foreach (var mode in Enum.GetValues<LossMode>())
                {
                    Func<SegmentationLoss> create = () => (SegmentationLoss)ctor.Invoke(Arguments(ctor, mode));
                    if (Accepts(create)) yield return (type.Name, mode, create);
                }
            }
            foreach (var mode in Enum.GetValues<LossMode>())
            {
                yield return ("Dice+CE", mode, () => new DiceLoss(mode) + new CrossEntropyLoss(mode));
                yield return ("Dice+0.5Focal", mode, () => new DiceLoss(mode) + 0.5 * new FocalLoss(mode));
            }
        }

        /// <summary>Theory rows (name, mode) for <see cref="Create"/>.</summary>
        public static IEnumerable<object[]> Rows() => Cases().Select(c => new object[] { c.Name, c.Mode });

        /// <summary>A fresh instance of the named case.</summary>
        public static SegmentationLoss Create(string name, LossMode mode) => Cases().First(c => c.Name == name && c.Mode == mode).Create();

        /// <summary>
        /// Float64 logits (N, C, *spatial) that require gradients and a target for <paramref name="mode"/>: labels holding
        /// every class for Multiclass, 0/1 targets (N, C, *spatial) holding both values otherwise.
        /// </summary>
        public static (Tensor Input, Tensor Target) Inputs(LossMode mode, params long[] spatial)
        {
            long c = mode == LossMode.Binary ? 1 : Classes;
            var shape = new[] { 2L, c }.Concat(spatial).ToArray();
            var input = TestData.Logits(3, shape).requires_grad_(true);
            if (mode == LossMode.Multiclass)
            {
                using var labels = TestData.Labels(5, Classes, new[] { 2L }.Concat(spatial).ToArray());
                var flat = labels.reshape(-1);
                for (long k = 0; k < Classes; k++) flat[k] = tensor(k); // every class present
                return (input, labels.clone());
            }
            using var targets = TestData.BinaryTargets(7, shape);
            var t = targets.reshape(-1);
            t[0] = tensor(1.0);
            t[1] = tensor(0.0);
            return (input, targets.clone());
        }

        private static object?[] Arguments(ConstructorInfo ctor, LossMode mode) =>
            ctor.GetParameters().Select(p => p.Name == "mode" ? mode : p.HasDefaultValue ? p.DefaultValue : Missing(p)).ToArray();

        private static object Missing(ParameterInfo p) => throw new InvalidOperationException($"{p.Member.DeclaringType!.Name}'s constructor parameter {p.Name} has no default");

        private static bool Accepts(Func<SegmentationLoss> create)
        {
            try
            {
                create().Dispose();
                return true;
            }
            catch (TargetInvocationException e) when (e.InnerException is ArgumentException a && a.ParamName == "mode")
            {
                return false;
            }
        }
    }
}
