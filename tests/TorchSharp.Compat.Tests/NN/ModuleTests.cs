using System;
using System.Linq;
using FluentAssertions;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharpCompat.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace TorchSharpCompat.Tests.NN
{
    /// <summary>Sequential containers, parameter registration and naming, moving and casting, train/eval.</summary>
    public sealed class ModuleTests
    {
        private static Sequential SmallNet() => nn.Sequential(
            nn.Conv2d(1, 4, 3, padding: 1),
            nn.BatchNorm2d(4),
            nn.ReLU(),
            nn.Conv2d(4, 2, 1));

        [Fact]
        public void SequentialRegistersSubmodulesByPosition()
        {
            using var scope = NewDisposeScope();
            using var net = SmallNet();
            net.Count.Should().Be(4);
            net.named_children().Select(c => c.name).Should().Equal("0", "1", "2", "3");
            net[2].Should().BeOfType<ReLU>();
            net.named_parameters().Select(p => p.name).Should().Equal("0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias");
            net.parameters().Sum(p => p.numel()).Should().Be(4 * 9 + 4 + 4 + 4 + 2 * 4 + 2);
            net.named_buffers().Select(b => b.name).Should().Equal("1.running_mean", "1.running_var", "1.num_batches_tracked");
            net.state_dict().Keys.Should().HaveCount(9);
            net.call(randn(2, 1, 5, 5)).shape.Should().Equal(2, 2, 5, 5);
        }

        [Fact]
        public void SequentialWithNamesAndAppend()
        {
            using var scope = NewDisposeScope();
            using var net = nn.Sequential(("conv", nn.Conv2d(1, 2, 3)), ("act", nn.ReLU()));
            net.append("head", nn.Conv2d(2, 1, 1)).Should().BeSameAs(net);
            net.append(nn.Sigmoid());
            net.named_children().Select(c => c.name).Should().Equal("conv", "act", "head", "3");
            net.named_parameters().Select(p => p.name).Should().Equal("conv.weight", "conv.bias", "head.weight", "head.bias");
            var y = net.call(randn(1, 1, 4, 4));
            y.shape.Should().Equal(1, 1, 2, 2);
            Values.F32(y).Should().OnlyContain(v => v > 0 && v < 1);

            var dup = () => nn.Sequential(("a", nn.ReLU()), ("a", nn.ReLU()));
            dup.Should().Throw<ArgumentException>();

            using var empty = nn.Sequential();
            var x = ones(2);
            empty.call(x).Should().NotBeSameAs(x);
        }

        [Fact]
        public void SequentialKeepsTheCallersInputAndInPlaceResults()
        {
            using var scope = NewDisposeScope();
            using var net = nn.Sequential(nn.ReLU(inplace: true), nn.Identity(), nn.ReLU(inplace: true), nn.Sigmoid());
            var x = tensor(new[] { -1.0, 2.0 });
            var y = net.call(x);
            x.IsInvalid.Should().BeFalse();
            Values.F64(x).Should().Equal(0, 2);
            y.IsInvalid.Should().BeFalse();
        }

        [Fact]
        public void ToFloat64ConvertsParametersAndFloatingBuffers()
        {
            using var scope = NewDisposeScope();
            using var net = SmallNet();
            var conv = (Conv2d)net[0];
            var bn = (BatchNorm2d)net[1];
            net.to(ScalarType.Float64).Should().BeSameAs(net);
            net.parameters().Should().OnlyContain(p => p.dtype == ScalarType.Float64 && p.requires_grad);
            conv.weight.dtype.Should().Be(ScalarType.Float64);
            conv.bias!.dtype.Should().Be(ScalarType.Float64);
            bn.running_mean!.dtype.Should().Be(ScalarType.Float64);
            bn.num_batches_tracked!.dtype.Should().Be(ScalarType.Int64);
            net.get_parameter("0.weight").Should().BeSameAs(conv.weight);
            net.call(randn(1, 1, 4, 4, ScalarType.Float64)).dtype.Should().Be(ScalarType.Float64);

            net.@float();
            conv.weight.dtype.Should().Be(ScalarType.Float32);
        }

        [Fact]
        public void TrainAndEvalPropagateToSubmodules()
        {
            using var scope = NewDisposeScope();
            using var net = nn.Sequential(nn.Conv2d(1, 1, 1), nn.Dropout(0.5), nn.BatchNorm2d(1));
            net.eval();
            net.modules().Should().OnlyContain(m => !m.training);
            var x = randn(2, 1, 3, 3);
            Values.F32(net.call(x)).Should().Equal(Values.F32(net.call(x)));
            net.train();
            net.modules().Should().OnlyContain(m => m.training);
        }

        [Fact]
        public void SettingALayerWeightRegistersIt()
        {
            using var scope = NewDisposeScope();
            using var conv = nn.Conv2d(1, 1, 1, bias: false);
            var w = new Parameter(ones(1, 1, 1, 1));
            conv.weight = w;
            conv.get_parameter("weight").Should().BeSameAs(w);
            conv.bias = new Parameter(zeros(1));
            conv.named_parameters().Select(p => p.name).Should().Equal("weight", "bias");
            Values.F32(conv.call(full(new long[] { 1, 1, 2, 2 }, 3f))).Should().Equal(3f, 3f, 3f, 3f);
            conv.bias = null;
            conv.parameters().Should().HaveCount(1);
        }

        [Fact]
        public void GradientsFlowThroughEveryLayer()
        {
            using var scope = NewDisposeScope();
            using var net = nn.Sequential(
                nn.Conv2d(1, 4, 3, padding: 1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                nn.ConvTranspose2d(4, 4, 2, stride: 2), nn.Dropout2d(0.1), nn.Upsample(scale_factor: new[] { 1.0 }), nn.Conv2d(4, 3, 1));
            var logits = net.call(randn(2, 1, 8, 8));
            logits.shape.Should().Equal(2, 3, 8, 8);
            nn.functional.cross_entropy(logits, randint(0, 3, new long[] { 2, 8, 8 })).backward();
            foreach (var (name, p) in net.named_parameters())
            {
                using var g = p.grad;
                g.Should().NotBeNull(name);
            }
        }
    }
}
