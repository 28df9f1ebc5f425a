using System;
using System.Collections.Generic;
using FluentAssertions;
using SegLoss.Maps;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Maps
{
    /// <summary>
    /// Every ArgumentException the map utilities throw names its argument and leaves no native tensor alive:
    /// the inputs are made before the count and outside any dispose scope, so a tensor the method made and did not
    /// dispose before throwing would still be alive (no scope of the test could clean it up).
    /// </summary>
    [Collection(LiveTensorCollection.Name)]
    public class MapExceptionLeakTests
    {
        private sealed record Case(string Param, string Message, Func<Tensor?> Input, Action<Tensor> Call);

        private static readonly long TooManyElements = (long)Array.MaxLength + 1;

        // Inputs are made in a scope of their own so that only the input itself outlives the factory.
        private static Tensor Made(Func<Tensor> make)
        {
            using var scope = NewDisposeScope();
            return make().MoveToOuterDisposeScope();
        }

        private static Tensor Labels() => tensor(new long[] { 0, 1, 2, 3 }, new long[] { 1, 2, 2 });

        private static Tensor Ones(params long[] shape) => ones(shape);

        // A view of more elements than a map can hold, made without memory.
        private static Tensor Huge(ScalarType type) => Made(() => zeros(new long[] { 1, 1 }, type).expand(1, TooManyElements));

        private static readonly Dictionary<string, Case> Cases = new()
        {
            ["Edt null mask"] = new("mask", "*", () => null, m => DistanceTransform.Edt(m)),
            ["Edt complex mask"] = new("mask", "*ComplexFloat32*", () => zeros(new long[] { 2, 3 }, ScalarType.ComplexFloat32), m => DistanceTransform.Edt(m)),
            ["Edt too many elements"] = new("mask", $"*{TooManyElements} elements*{Array.MaxLength}*", () => Huge(ScalarType.Bool), m => DistanceTransform.Edt(m)),
            ["Edt scalar mask"] = new("mask", "*[]*", () => tensor(1.0), m => DistanceTransform.Edt(m)),
            ["Edt spatialDims"] = new("spatialDims", "*got 4*", () => Ones(2, 4, 4), m => DistanceTransform.Edt(m, spatialDims: 4)),
            ["Edt spacing entries"] = new("spacing", "*4 entries*", () => Ones(2, 4, 4), m => DistanceTransform.Edt(m, new[] { 1.0, 2.0, 3.0, 4.0 })),
            ["Edt spacing vs spatialDims"] = new("spacing", "*2 entries*expected 3*", () => Ones(2, 4, 4), m => DistanceTransform.Edt(m, new[] { 1.0, 2.0 }, spatialDims: 3)),
            ["Edt spacing negative"] = new("spacing", "*positive*-2*", () => Ones(2, 4, 4), m => DistanceTransform.Edt(m, new[] { 1.0, -2.0 })),
            ["Edt dtype"] = new("dtype", "*Int64*", () => Ones(2, 4, 4), m => DistanceTransform.Edt(m, dtype: ScalarType.Int64)),
            ["SquaredEdt dtype"] = new("dtype", "*Float16*", () => Ones(2, 4, 4), m => DistanceTransform.SquaredEdt(m, dtype: ScalarType.Float16)),
            ["MaxDegreeOfParallelism 0"] = new("value", "*at least 1*0*", () => null, _ => DistanceTransform.MaxDegreeOfParallelism = 0),

            ["FromLabels null labels"] = new("labels", "*", () => null, l => SignedDistanceMap.FromLabels(l, 2)),
            ["FromLabels too many elements"] = new("labels", "*elements*", () => Huge(ScalarType.Int64), l => SignedDistanceMap.FromLabels(l, 2)),
            ["FromLabels rank"] = new("labels", "*[4]*(N, *spatial)*", () => Made(() => Labels().flatten()), l => SignedDistanceMap.FromLabels(l, 4)),
            ["FromLabels float labels"] = new("labels", "*Float32*integer*", () => Ones(1, 2, 2), l => SignedDistanceMap.FromLabels(l, 4)),
            ["FromLabels numClasses 0"] = new("numClasses", "*at least 1*0*", Labels, l => SignedDistanceMap.FromLabels(l, 0)),
            ["FromLabels spacing"] = new("spacing", "*1 entries*expected 2*", Labels, l => SignedDistanceMap.FromLabels(l, 4, new[] { 1.0 })),
            ["FromLabels dtype"] = new("dtype", "*Int32*", Labels, l => SignedDistanceMap.FromLabels(l, 4, dtype: ScalarType.Int32)),
            ["FromLabels label value"] = new("labels", "*3*[0, 3)*", Labels, l => SignedDistanceMap.FromLabels(l, 3)),
            ["FromLabels label value with ignore index"] = new("labels", "*3*[0, 3) or the ignore index 255*", Labels, l => SignedDistanceMap.FromLabels(l, 3, ignoreIndex: 255)),

            ["FromMask null mask"] = new("mask", "*", () => null, m => SignedDistanceMap.FromMask(m)),
            ["FromMask complex mask"] = new("mask", "*ComplexFloat64*", () => zeros(new long[] { 1, 1, 3 }, ScalarType.ComplexFloat64), m => SignedDistanceMap.FromMask(m)),
            ["FromMask rank"] = new("mask", "*[2, 2]*(N, C, *spatial)*", () => Ones(2, 2), m => SignedDistanceMap.FromMask(m)),
            ["FromMask spacing"] = new("spacing", "*3 entries*expected 2*", () => Ones(1, 2, 3, 3), m => SignedDistanceMap.FromMask(m, new[] { 1.0, 1.0, 1.0 })),
            ["FromMask dtype"] = new("dtype", "*Bool*", () => Ones(1, 2, 3, 3), m => SignedDistanceMap.FromMask(m, dtype: ScalarType.Bool)),

            ["Label null mask"] = new("mask", "*", () => null, m => ConnectedComponents.Label(m)),
            ["Label rank"] = new("mask", "*[4]*", () => Ones(4), m => ConnectedComponents.Label(m)),
            ["Label connectivity 1D"] = new("connectivity", "*2 for 1 spatial dimension, got 4*", () => Ones(1, 4), m => ConnectedComponents.Label(m, 4)),
            ["Label connectivity 2D"] = new("connectivity", "*4 or 8*got 6*", () => Ones(1, 2, 2), m => ConnectedComponents.Label(m, 6)),
            ["Label connectivity 3D"] = new("connectivity", "*6 or 18 or 26*got 8*", () => Ones(1, 2, 2, 2), m => ConnectedComponents.Label(m, 8)),
            // A zero-size spatial dimension lets N exceed the counts array.
            ["Label too many images"] = new("mask", $"*[{TooManyElements}, 0]*{TooManyElements} images*{Array.MaxLength} counts*", () => Made(() => zeros(new long[] { 1, 0 }).expand(TooManyElements, 0)), m => ConnectedComponents.Label(m)),

            ["FromInstances null"] = new("instances", "*", () => null, i => UNetWeightMap.FromInstances(i)),
            ["FromInstances rank"] = new("instances", "*[4]*", () => Made(() => Labels().flatten()), i => UNetWeightMap.FromInstances(i)),
            ["FromInstances float"] = new("instances", "*Float32*", () => Ones(1, 2, 2), i => UNetWeightMap.FromInstances(i)),
            ["FromInstances negative"] = new("instances", "*-1*", () => Made(() => Labels() - 1), i => UNetWeightMap.FromInstances(i)),
            ["FromInstances w0"] = new("w0", "*NaN*", Labels, i => UNetWeightMap.FromInstances(i, w0: double.NaN)),
            ["FromInstances sigma"] = new("sigma", "*positive*0*", Labels, i => UNetWeightMap.FromInstances(i, sigma: 0)),
            ["FromInstances classWeights count"] = new("classWeights", "*2 values*got 3*", Labels, i => UNetWeightMap.FromInstances(i, classWeights: new[] { 1.0, 2.0, 3.0 })),
            ["FromInstances classWeights value"] = new("classWeights", "*non-negative*-1*", Labels, i => UNetWeightMap.FromInstances(i, classWeights: new[] { 1.0, -1.0 })),
            ["FromInstances spacing"] = new("spacing", "*finite*", Labels, i => UNetWeightMap.FromInstances(i, spacing: new[] { 1.0, double.PositiveInfinity })),

            ["FromMask (U-Net) null"] = new("mask", "*", () => null, m => UNetWeightMap.FromMask(m)),
            ["FromMask (U-Net) rank"] = new("mask", "*[2, 3, 4, 5, 6]*", () => Ones(2, 3, 4, 5, 6), m => UNetWeightMap.FromMask(m)),
            ["FromMask (U-Net) connectivity"] = new("connectivity", "*got 26*", () => Ones(1, 3, 3), m => UNetWeightMap.FromMask(m, connectivity: 26)),
            ["FromMask (U-Net) w0"] = new("w0", "*-1*", () => Ones(1, 3, 3), m => UNetWeightMap.FromMask(m, w0: -1)),
            ["FromMask (U-Net) sigma"] = new("sigma", "*finite and positive*", () => Ones(1, 3, 3), m => UNetWeightMap.FromMask(m, sigma: double.PositiveInfinity)),
            ["FromMask (U-Net) classWeights"] = new("classWeights", "*got 1*", () => Ones(1, 3, 3), m => UNetWeightMap.FromMask(m, classWeights: new[] { 1.0 })),
            ["FromMask (U-Net) spacing"] = new("spacing", "*1 entries*expected 2*", () => Ones(1, 3, 3), m => UNetWeightMap.FromMask(m, spacing: new[] { 1.0 })),
        };

        public static TheoryData<string> CaseNames()
        {
            var names = new TheoryData<string>();
            foreach (var name in Cases.Keys) names.Add(name);
            return names;
        }

        [Theory]
        [MemberData(nameof(CaseNames))]
        public void ThrowsByNameAndLeavesNoTensorAlive(string name)
        {
            var c = Cases[name];
            using var input = c.Input();
            LiveTensors.AssertNoLeak(
                () => FluentActions.Invoking(() => c.Call(input!)).Should().Throw<ArgumentException>().WithParameterName(c.Param).WithMessage(c.Message),
                $"{name} must dispose whatever it allocated before throwing");
        }
    }
}
