using System;
using System.Linq;
using FluentAssertions;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SegLoss.Tests.Porting
{
    /// <summary>
    /// Shared checks of the porting tests that write the peer's steps as dense float64 tensor formulas: the SegLoss
    /// value equals the peer's and its autograd input gradient equals the autograd gradient of the peer's formula.
    /// </summary>
    internal static class PeerAgreement
    {
        /// <summary>Value and gradient (w.r.t. every input) agree to <paramref name="tolerance"/> (relative).</summary>
        internal static void AssertSame(Tensor[] inputs, Func<Tensor[], Tensor> segLoss, Func<Tensor[], Tensor> peer, double tolerance = 1e-10)
        {
            var (segValue, segGrads) = Evaluate(segLoss, inputs);
            var (peerValue, peerGrads) = Evaluate(peer, inputs);
            segValue.Should().BeApproximately(peerValue, tolerance * Math.Max(1, Math.Abs(peerValue)), "the SegLoss value is the peer's");
            double scale = peerGrads.Max(g => g.abs().max().item<double>());
            scale.Should().BeGreaterThan(0, "the check needs a non-zero peer gradient");
            for (int i = 0; i < inputs.Length; i++)
                (segGrads[i] - peerGrads[i]).abs().max().item<double>().Should().BeLessThan(tolerance * scale, $"the gradient w.r.t. input {i} is the peer's");
        }

        /// <summary>Single-input form of <see cref="AssertSame(Tensor[], Func{Tensor[], Tensor}, Func{Tensor[], Tensor}, double)"/>.</summary>
        internal static void AssertSame(Tensor input, Func<Tensor, Tensor> segLoss, Func<Tensor, Tensor> peer, double tolerance = 1e-10) =>
            AssertSame(new[] { input }, v => segLoss(v[0]), v => peer(v[0]), tolerance);

        /// <summary>The value and the gradient w.r.t. fresh leaf copies of <paramref name="inputs"/>.</summary>
        internal static (double Value, Tensor[] Grads) Evaluate(Func<Tensor[], Tensor> loss, Tensor[] inputs)
        {
            var leaves = inputs.Select(x => x.detach().clone().requires_grad_(true)).ToArray();
            var value = loss(leaves);
            value.backward();
            return (value.item<double>(), leaves.Select(l => l.grad is null ? zeros_like(l) : l.grad.detach().clone()).ToArray());
        }

        /// <summary>One-hot (N, C, *spatial) float64 of integer labels (N, *spatial), as MONAI's <c>one_hot</c>.</summary>
        internal static Tensor OneHotChannels(Tensor labels, long classes)
        {
            var encoded = F.one_hot(labels.to(ScalarType.Int64), classes).to(ScalarType.Float64);
            long d = encoded.dim();
            var order = new long[d];
            order[0] = 0;
            order[1] = d - 1;
            for (long i = 2; i < d; i++) order[i] = i - 1;
            return encoded.permute(order);
        }

        /// <summary>The spatial axes 2.. of a (N, C, *spatial) tensor, with axis 0 in front when <paramref name="batch"/>.</summary>
        internal static long[] SpatialAxes(Tensor t, bool batch = false) =>
            (batch ? new long[] { 0 } : Array.Empty<long>()).Concat(Enumerable.Range(2, (int)t.dim() - 2).Select(i => (long)i)).ToArray();
    }
}
