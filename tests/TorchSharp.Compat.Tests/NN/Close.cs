using FluentAssertions;

namespace TorchSharpCompat.Tests.NN
{
    /// <summary>Element-wise approximate comparison of read-back values.</summary>
    internal static class Close
    {
        public static void Expect(double[] actual, double tolerance, params double[] expected)
        {
            actual.Should().HaveCount(expected.Length);
            for (int i = 0; i < expected.Length; i++)
                actual[i].Should().BeApproximately(expected[i], tolerance, $"element {i}");
        }

        public static void Expect(float[] actual, double tolerance, params double[] expected)
        {
            actual.Should().HaveCount(expected.Length);
            for (int i = 0; i < expected.Length; i++)
                ((double)actual[i]).Should().BeApproximately(expected[i], tolerance, $"element {i}");
        }
    }
}
