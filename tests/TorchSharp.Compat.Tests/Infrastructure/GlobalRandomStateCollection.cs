using Xunit;

namespace TorchSharpCompat.Tests.Infrastructure
{
    /// <summary>
    /// libtorch's default generator is process-wide: a test that seeds it and expects a particular sequence must
    /// not run while tests on other threads draw from it, so such tests run in this non-parallel collection.
    /// </summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class GlobalRandomStateCollection
    {
        public const string Name = "GlobalRandomState";
    }
}
