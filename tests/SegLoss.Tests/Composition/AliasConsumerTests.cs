using FluentAssertions;
using SegLoss;
using TorchSharp.Modules;
using Xunit;
// README's advice for code that imports both namespaces: TorchSharp.Modules has a CrossEntropyLoss too, so without
// this alias `new CrossEntropyLoss()` is error CS0104. This file sits outside the SegLoss namespace, as a user's
// code does (inside it, SegLoss's own types win); that it compiles is half of the test.
using CrossEntropyLoss = SegLoss.CrossEntropyLoss;

namespace SegLossConsumer.Tests
{
    public class AliasConsumerTests
    {
        [Fact]
        public void TheAliasPicksSegLossCrossEntropyNextToTorchSharpModules()
        {
            using var ce = new CrossEntropyLoss();
            using var torchCe = new TorchSharp.Modules.CrossEntropyLoss(null, null, TorchSharp.torch.nn.Reduction.Mean, 0.0);
            ce.Should().BeAssignableTo<SegmentationLoss>();
            ce.GetType().Should().NotBe(torchCe.GetType());
            using Sequential net = TorchSharp.torch.nn.Sequential(); // a TorchSharp.Modules type, used by its short name
            net.Should().NotBeNull();
        }
    }
}
