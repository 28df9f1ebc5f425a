using System;
using FluentAssertions;
using TorchSharp;
using TorchSharpCompat.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace TorchSharpCompat.Tests.NN
{
    /// <summary>Layers, losses and optimizers leave no live native tensors behind.</summary>
    [Collection(LiveTensorCollection.Name)]
    public sealed class LiveTensorTests
    {
        private static void TrainOnce(nn.Module<Tensor, Tensor> net, optim.Optimizer opt, Tensor images, Tensor labels)
        {
            using var scope = NewDisposeScope();
            opt.zero_grad();
            var loss = TrainingTests.DeepSupervisedLoss(net.call(images), labels);
            loss.backward();
            opt.step();
        }

        [Theory]
        [InlineData("adam")]
        [InlineData("amsgrad")]
        [InlineData("sgd-momentum")]
        public void OptimizerStepsLeaveTheLiveTensorCountUnchanged(string kind)
        {
            using var data = NewDisposeScope();
            manual_seed(3);
            using var net = TrainingTests.TinySegNet();
            var (images, labels) = TrainingTests.Data();
            using optim.Optimizer opt = kind switch
            {
                "adam" => optim.Adam(net.parameters(), weight_decay: 1e-4),
                "amsgrad" => optim.Adam(net.parameters(), amsgrad: true),
                _ => optim.SGD(net.parameters(), 0.01, momentum: 0.9, nesterov: true),
            };
            TrainOnce(net, opt, images, labels);   // creates the optimizer state

            long before = LiveTensorCollection.SettledCount();
            opt.step();
            Tensor.TotalCount.Should().Be(before, "a step must not leave temporaries behind");
            opt.zero_grad();
            Tensor.TotalCount.Should().Be(before);
            for (int i = 0; i < 3; i++) TrainOnce(net, opt, images, labels);
            Tensor.TotalCount.Should().Be(before, "forward, backward and step inside a scope leave nothing behind");
        }

        [Fact]
        public void DisposingAnOptimizerReleasesItsState()
        {
            long baseline = LiveTensorCollection.SettledCount();
            using (var lin = nn.Linear(3, 2))
            {
                long withModule = Tensor.TotalCount;
                withModule.Should().Be(baseline + 2);
                var opt = optim.Adam(lin.parameters(), amsgrad: true);
                using (var scope = NewDisposeScope())
                {
                    F.mse_loss(lin.call(ones(4, 3)), zeros(4, 2)).backward();
                }
                opt.step();
                Tensor.TotalCount.Should().Be(withModule + 2 * 3, "exp_avg, exp_avg_sq and max_exp_avg_sq per parameter");
                opt.Dispose();
                Tensor.TotalCount.Should().Be(withModule);

                var sgd = optim.SGD(lin.parameters(), 0.1, momentum: 0.5);
                sgd.step();
                Tensor.TotalCount.Should().Be(withModule + 2);
                sgd.Dispose();
                Tensor.TotalCount.Should().Be(withModule);
            }
            Tensor.TotalCount.Should().Be(baseline);
        }

        [Fact]
        public void ModulesOwnTheirParametersEvenWhenCreatedInsideAScope()
        {
            long baseline = LiveTensorCollection.SettledCount();
            nn.Module<Tensor, Tensor> net;
            using (NewDisposeScope())
            {
                net = TrainingTests.TinySegNet();
            }
            // 3 convolutions x (weight, bias) + batch norm (weight, bias, 3 buffers)
            Tensor.TotalCount.Should().Be(baseline + 11);
            foreach (var p in net.parameters()) p.IsInvalid.Should().BeFalse();
            net.Dispose();
            Tensor.TotalCount.Should().Be(baseline);
        }

        [Fact]
        public void FunctionalLayersAndLossesReturnOnlyTheirResult()
        {
            using var data = NewDisposeScope();
            var x = randn(2, 3, 8, 8);
            var labels = randint(0, 3, new long[] { 2, 1, 8, 8 });
            long before = LiveTensorCollection.SettledCount();
            Action[] calls =
            {
                () => F.interpolate(labels, new long[] { 5, 5 }).Dispose(),
                () => F.interpolate(x, scale_factor: new[] { 2.0 }, mode: InterpolationMode.Bilinear).Dispose(),
                () => F.cross_entropy(x, labels.squeeze(1)).Dispose(),
                () => F.pad(x, new long[] { 1, 1, 2, 2 }, PaddingModes.Reflect).Dispose(),
                () => F.max_pool2d(x, 2).Dispose(),
                () => F.batch_norm(x, null, null, training: true).Dispose(),
            };
            foreach (var call in calls)
            {
                using (NewDisposeScope()) call();
                Tensor.TotalCount.Should().Be(before);
            }
        }
    }
}
