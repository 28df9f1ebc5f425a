using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Core
{
    /// <summary>
    /// A constructor that rejects an argument leaves no native tensor alive: the CE and TopK constructors used to
    /// keep a float64 copy of classWeights when a later argument (e.g. a negative posWeight) was rejected, and the
    /// region losses checked their own options after the base constructor had registered classWeights.
    /// </summary>
    [Collection(LiveTensorCollection.Name)]
    public class ConstructorLeakTests
    {
        private static readonly double[] Weights = { 1.0, 2.0 };

        /// <summary>
        /// A valid configuration with every tensor option set, for each loss that takes one; double[] values become
        /// float64 tensors inside the measured action.
        /// </summary>
        private static readonly Dictionary<Type, Dictionary<string, object?>> TensorConfigs = new()
        {
            // posWeight needs a sigmoid mode.
            [typeof(CrossEntropyLoss)] = new() { ["mode"] = LossMode.Binary, ["classWeights"] = Weights, ["posWeight"] = new[] { 2.0 } },
            [typeof(TopKCrossEntropyLoss)] = new() { ["mode"] = LossMode.Binary, ["classWeights"] = Weights, ["posWeight"] = new[] { 2.0 } },
            [typeof(FocalLoss)] = new() { ["classAlpha"] = new[] { 0.25, 0.75 } },
            [typeof(OhemCrossEntropyLoss)] = new() { ["classWeights"] = Weights },
            [typeof(DiceLoss)] = new() { ["classWeights"] = Weights },
            [typeof(TverskyLoss)] = new() { ["classWeights"] = Weights },
            [typeof(JaccardLoss)] = new() { ["classWeights"] = Weights },
            [typeof(ExponentialLogarithmicLoss)] = new() { ["labelWeights"] = Weights },
            [typeof(MatthewsCorrelationLoss)] = new() { ["classWeights"] = Weights },
            [typeof(GeneralizedWassersteinDiceLoss)] = new() { ["distanceMatrix"] = new[,] { { 0.0, 1.0 }, { 1.0, 0.0 } } },
        };

        /// <summary>One rejected construction: the configuration with <paramref name="Changes"/>, rejected for <paramref name="Expected"/>.</summary>
        private sealed record Case(Type Loss, string Expected, params (string name, object? value)[] Changes)
        {
            public string Name => $"{Loss.Name}({string.Join(", ", Changes.Select(c => $"{c.name}: {Show(c.value)}"))})";

            private static string Show(object? value) => value switch
            {
                double[] a => $"[{string.Join(", ", a)}]",
                double[,] m => $"[{string.Join(", ", m.Cast<double>())}]",
                _ => $"{value}",
            };
        }

        private static IEnumerable<Case> Cases()
        {
            // Sweep: every enum option undefined and every floating option NaN, which each loss that takes a tensor
            // option rejects, whatever the parameter means.
            foreach (var type in TensorConfigs.Keys)
                foreach (var p in TensorConstructor(type).GetParameters())
                {
                    var enumType = LossConstructors.EnumType(p);
                    if (enumType is not null) yield return new Case(type, p.Name!, (p.Name!, LossConstructors.Undefined(enumType)));
                    else if (p.ParameterType == typeof(double) || p.ParameterType == typeof(double?)) yield return new Case(type, p.Name!, (p.Name!, double.NaN));
                }
            // Rules specific to each loss, chosen to throw after a valid tensor option has been seen.
            foreach (var type in new[] { typeof(CrossEntropyLoss), typeof(TopKCrossEntropyLoss) })
            {
                yield return new Case(type, "posWeight", ("posWeight", new[] { -1.0 }));
                yield return new Case(type, "posWeight", ("mode", LossMode.Multiclass));
                yield return new Case(type, "classWeights", ("classWeights", new[] { -1.0, 1.0 }));
                yield return new Case(type, "labelSmoothing", ("labelSmoothing", 2.0));
            }
            yield return new Case(typeof(TopKCrossEntropyLoss), "k", ("k", 0.0));
            yield return new Case(typeof(FocalLoss), "classAlpha", ("mode", LossMode.Binary));
            yield return new Case(typeof(FocalLoss), "alpha", ("alpha", 0.25));
            yield return new Case(typeof(FocalLoss), "gamma", ("gamma", -1.0));
            yield return new Case(typeof(OhemCrossEntropyLoss), "mode", ("mode", LossMode.Multilabel));
            yield return new Case(typeof(OhemCrossEntropyLoss), "minKept", ("minKept", -1L));
            yield return new Case(typeof(DiceLoss), "beta", ("jaccard", true), ("beta", 2.0));
            yield return new Case(typeof(DiceLoss), "beta", ("beta", 0.0));
            yield return new Case(typeof(DiceLoss), "smoothNumerator", ("smoothNumerator", -1.0));
            yield return new Case(typeof(DiceLoss), "classWeights", ("classWeights", new[] { 0.0, 0.0 }));
            yield return new Case(typeof(TverskyLoss), "gamma", ("gamma", 0.0));
            yield return new Case(typeof(TverskyLoss), "alpha", ("alpha", -1.0));
            yield return new Case(typeof(TverskyLoss), "gammaPlacement", ("gammaPlacement", GammaPlacement.OnClassMean), ("reduction", nn.Reduction.None));
            yield return new Case(typeof(JaccardLoss), "smoothDenominator", ("smoothDenominator", -1.0));
            yield return new Case(typeof(ExponentialLogarithmicLoss), "reduction", ("reduction", nn.Reduction.Sum));
            yield return new Case(typeof(ExponentialLogarithmicLoss), "labelWeights", ("mode", LossMode.Binary));
            yield return new Case(typeof(ExponentialLogarithmicLoss), "diceGamma", ("diceGamma", 0.0));
            yield return new Case(typeof(MatthewsCorrelationLoss), "epsilon", ("epsilon", -1.0));
            yield return new Case(typeof(MatthewsCorrelationLoss), "classWeights", ("classWeights", new[] { 0.0, 0.0 }));
            yield return new Case(typeof(GeneralizedWassersteinDiceLoss), "distanceMatrix", ("distanceMatrix", new[,] { { 0.0, 1.0 }, { 1.0, 1.0 } }));
            yield return new Case(typeof(GeneralizedWassersteinDiceLoss), "mode", ("mode", LossMode.Binary));
        }

        private static readonly Dictionary<string, Case> CasesByName = Cases().ToDictionary(c => c.Name);

        public static TheoryData<string> RejectedCases() => new(CasesByName.Keys);

        public static TheoryData<string> TensorLosses() => new(TensorConfigs.Keys.Select(t => t.Name));

        public static TheoryData<string> AllLosses() => new(LossConstructors.LossTypes.Select(t => t.Name));

        [Theory]
        [MemberData(nameof(RejectedCases))]
        public void A_rejected_argument_after_a_valid_tensor_option_leaves_no_tensor_alive(string name)
        {
            var c = CasesByName[name];
            var args = new Dictionary<string, object?>(TensorConfigs[c.Loss]);
            foreach (var (key, value) in c.Changes) args[key] = value;
            LiveTensors.AssertNoLeak(() =>
            {
                var e = FluentActions.Invoking(() => Construct(TensorConstructor(c.Loss), args)).Should().Throw<ArgumentException>().Which;
                e.ParamName.Should().Be(c.Expected);
            }, $"{name} is rejected and must dispose whatever it copied");
        }

        [Theory]
        [MemberData(nameof(TensorLosses))]
        public void A_valid_construction_with_tensor_options_then_Dispose_leaves_no_tensor_alive(string loss)
        {
            var type = LossConstructors.Named(loss);
            LiveTensors.AssertNoLeak(() => ((IDisposable)Construct(TensorConstructor(type), TensorConfigs[type])).Dispose(),
                $"{loss}.Dispose() must release its buffers");
        }

        [Theory]
        [MemberData(nameof(AllLosses))]
        public void A_default_construction_then_Dispose_leaves_no_tensor_alive(string loss)
        {
            var ctors = LossConstructors.Of(LossConstructors.Named(loss)).Where(LossConstructors.AllOptional).ToArray();
            if (ctors.Length == 0) return; // WeightedSumLoss needs terms; the other losses cover it
            LiveTensors.AssertNoLeak(() =>
            {
                foreach (var ctor in ctors) ((IDisposable)LossConstructors.Invoke(ctor, new Dictionary<string, object?>())).Dispose();
            }, $"constructing and disposing {loss} must leave nothing behind");
        }

        [Fact]
        public void The_configurations_cover_every_tensor_option_and_register_each_as_a_buffer()
        {
            var withTensors = LossConstructors.LossTypes
                .Where(t => LossConstructors.Of(t).Any(c => c.GetParameters().Any(IsTensor)))
                .ToArray();
            TensorConfigs.Keys.Should().BeEquivalentTo(withTensors, "every constructor with a tensor option needs a configuration here");
            foreach (var (type, config) in TensorConfigs)
            {
                var tensorParameters = TensorConstructor(type).GetParameters().Where(IsTensor).Select(p => p.Name).ToArray();
                config.Keys.Should().Contain(tensorParameters, $"{type.Name}'s configuration sets every tensor option");
                using var loss = (nn.Module)Construct(TensorConstructor(type), config);
                loss.buffers().Count().Should().Be(tensorParameters.Length, $"{type.Name} keeps each tensor option as a buffer");
            }
        }

        private static bool IsTensor(ParameterInfo p) => p.ParameterType == typeof(Tensor);

        private static ConstructorInfo TensorConstructor(Type type) => LossConstructors.Of(type).Single(c => c.GetParameters().Any(IsTensor));

        /// <summary>Constructs with double[] arguments turned into float64 tensors, which are disposed afterwards (the loss keeps copies).</summary>
        private static object Construct(ConstructorInfo ctor, IReadOnlyDictionary<string, object?> args)
        {
            var tensors = new List<Tensor>();
            try
            {
                var values = args.ToDictionary(a => a.Key, a =>
                {
                    // double[,] gives a matrix option (GeneralizedWassersteinDiceLoss's distanceMatrix).
                    if (a.Value is double[,] matrix)
                    {
                        var m = tensor(matrix);
                        tensors.Add(m);
                        return (object?)m;
                    }
                    if (a.Value is not double[] array) return a.Value;
                    var t = tensor(array);
                    tensors.Add(t);
                    return (object?)t;
                });
                return LossConstructors.Invoke(ctor, values);
            }
            finally
            {
                foreach (var t in tensors) t.Dispose();
            }
        }
    }
}
