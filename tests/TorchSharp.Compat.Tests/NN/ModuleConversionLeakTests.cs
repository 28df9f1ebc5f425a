using System;
using System.Linq;
using FluentAssertions;
using TorchSharp;
using TorchSharpCompat.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace TorchSharpCompat.Tests.NN
{
    /// <summary>Module.to(...) replaces every parameter and buffer by exactly one new tensor.</summary>
    [Collection(LiveTensorCollection.Name)]
    public sealed class ModuleConversionLeakTests
    {
        [Fact]
        public void ConvertingAModuleLeavesOnlyTheReplacementTensors()
        {
            using var net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2));
            net.to(ScalarType.Float64); // warm-up conversion
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long before = Tensor.TotalCount;
            net.to(ScalarType.Float32);
            Tensor.TotalCount.Should().Be(before, "each old tensor is disposed and replaced by one converted tensor");
            net.parameters().Should().OnlyContain(p => p.dtype == ScalarType.Float32);
            net.buffers().Where(b => b.is_floating_point()).Should().OnlyContain(b => b.dtype == ScalarType.Float32);
        }
    }

    public sealed class RandpermTests
    {
        [Fact]
        public void RandpermIsAPermutation()
        {
            using var p = randperm(50);
            p.dtype.Should().Be(ScalarType.Int64);
            p.data<long>().ToArray().OrderBy(v => v).Should().Equal(Enumerable.Range(0, 50).Select(i => (long)i));
            FluentActions.Invoking(() => randperm(-1)).Should().Throw<ArgumentException>().WithParameterName("n");
        }
    }
}
