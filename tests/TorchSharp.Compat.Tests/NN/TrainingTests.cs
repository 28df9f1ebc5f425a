using System.Collections.Generic;
using System.Linq;
using FluentAssertions;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace TorchSharpCompat.Tests.NN
{
    /// <summary>End-to-end: a tiny segmentation network trained with cross entropy and deep supervision.</summary>
    public sealed class TrainingTests
    {
        internal static Sequential TinySegNet() => nn.Sequential(
            ("conv1", nn.Conv2d(1, 8, 3, padding: 1)),
            ("bn1", nn.BatchNorm2d(8)),
            ("relu1", nn.ReLU()),
            ("conv2", nn.Conv2d(8, 8, 3, padding: 1)),
            ("relu2", nn.ReLU()),
            ("head", nn.Conv2d(8, 2, 1)));

        /// <summary>Images of noise and their labels: 1 where the (smoothed) intensity is positive.</summary>
        internal static (Tensor images, Tensor labels) Data()
        {
            var images = randn(4, 1, 16, 16);
            var smooth = F.avg_pool2d(images, 3, stride: 1, padding: 1);
            var labels = smooth.gt(0).to(ScalarType.Int64).squeeze(1);
            return (images, labels);
        }

        /// <summary>Cross entropy at full resolution plus half the loss at half resolution (labels resized with nearest).</summary>
        internal static Tensor DeepSupervisedLoss(Tensor logits, Tensor labels)
        {
            var full = F.cross_entropy(logits, labels);
            var small = F.avg_pool2d(logits, 2);
            var smallLabels = F.interpolate(labels.unsqueeze(1), scale_factor: new[] { 0.5 }).squeeze(1);
            return full + 0.5 * F.cross_entropy(small, smallLabels);
        }

        [Fact]
        public void TinyConvNetLossDecreasesOver20Steps()
        {
            using var scope = NewDisposeScope();
            manual_seed(1234);
            using var net = TinySegNet();
            var (images, labels) = Data();
            using var opt = optim.Adam(net.parameters(), lr: 0.01);
            var losses = new List<double>();
            for (int step = 0; step < 20; step++)
            {
                using var iteration = NewDisposeScope();
                opt.zero_grad();
                var loss = DeepSupervisedLoss(net.call(images), labels);
                loss.backward();
                opt.step();
                losses.Add(loss.ToDouble());
            }
            losses.Should().OnlyContain(l => !double.IsNaN(l));
            losses.Last().Should().BeLessThan(0.6 * losses.First());
            losses.Skip(15).Average().Should().BeLessThan(losses.Take(5).Average());

            net.eval();
            using (no_grad())
            {
                var predicted = net.call(images).argmax(1);
                double accuracy = predicted.eq(labels).to(ScalarType.Float64).mean().item<double>();
                accuracy.Should().BeGreaterThan(0.75);
            }
        }

        [Fact]
        public void SgdWithMomentumAlsoTrainsTheNet()
        {
            using var scope = NewDisposeScope();
            manual_seed(99);
            using var net = TinySegNet();
            var (images, labels) = Data();
            using var opt = optim.SGD(net.parameters(), 0.1, momentum: 0.9);
            double first = 0, last = 0;
            for (int step = 0; step < 20; step++)
            {
                using var iteration = NewDisposeScope();
                opt.zero_grad();
                var loss = F.cross_entropy(net.call(images), labels);
                loss.backward();
                opt.step();
                if (step == 0) first = loss.ToDouble();
                last = loss.ToDouble();
            }
            last.Should().BeLessThan(0.7 * first);
        }
    }
}
