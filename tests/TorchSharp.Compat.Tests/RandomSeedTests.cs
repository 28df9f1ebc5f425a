using System.Linq;
using FluentAssertions;
using TorchSharpCompat.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace TorchSharpCompat.Tests
{
    /// <summary>Seeding the default generator.</summary>
    [Collection(GlobalRandomStateCollection.Name)]
    public sealed class RandomSeedTests
    {
        [Fact]
        public void ManualSeedMakesRandomDrawsReproducible()
        {
            using var scope = NewDisposeScope();
            manual_seed(1234);
            var a = Values.F64(rand(new long[] { 8 }, float64));
            var ai = Values.I64(randint(0, 1000, new long[] { 8 }));
            manual_seed(1234);
            var b = Values.F64(rand(new long[] { 8 }, float64));
            var bi = Values.I64(randint(0, 1000, new long[] { 8 }));
            a.Should().Equal(b);
            ai.Should().Equal(bi);

            manual_seed(4321);
            var c = Values.F64(rand(new long[] { 8 }, float64));
            c.Should().NotEqual(a, "another seed gives another sequence");
            a.Distinct().Should().HaveCount(8);

            random.manual_seed(1234);
            Values.F64(rand(new long[] { 8 }, float64)).Should().Equal(a, "torch.random.manual_seed seeds the same generator");
        }
    }
}
