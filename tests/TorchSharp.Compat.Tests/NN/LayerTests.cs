using System;
using System.Linq;
using FluentAssertions;
using TorchSharp;
using TorchSharpCompat.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace TorchSharpCompat.Tests.NN
{
    /// <summary>Convolution, pooling, normalisation, resampling, padding, dropout and linear layers.</summary>
    public sealed class LayerTests
    {
        private static Tensor Ramp(params long[] shape) => arange(1.0, shape.Aggregate(1L, (a, b) => a * b) + 1, ScalarType.Float64).reshape(shape);

        [Fact]
        public void Conv2dComputesCrossCorrelationPlusBias()
        {
            using var scope = NewDisposeScope();
            var x = Ramp(1, 1, 3, 3);                           // 1..9
            var w = tensor(new[] { 1.0, 2.0, 3.0, 4.0 }, new long[] { 1, 1, 2, 2 });
            var b = tensor(new[] { 0.5 });
            var y = F.conv2d(x, w, b);
            y.shape.Should().Equal(1, 1, 2, 2);
            // top-left window [1 2; 4 5]: 1 + 4 + 12 + 20 = 37
            Values.F64(y).Should().Equal(37.5, 47.5, 67.5, 77.5);

            var padded = F.conv2d(x, w, null, strides: new long[] { 2, 2 }, padding: new long[] { 1, 1 });
            padded.shape.Should().Equal(1, 1, 2, 2);
            // window at (-1,-1): only x[0,0] = 1 meets w[1,1] = 4.
            Values.F64(padded)[0].Should().Be(4);
        }

        [Fact]
        public void Conv2dModuleHasPyTorchShapesAndInitialisation()
        {
            using var scope = NewDisposeScope();
            manual_seed(1);
            using var conv = nn.Conv2d(2, 4, 3, padding: 1);
            conv.weight.shape.Should().Equal(4, 2, 3, 3);
            conv.bias!.shape.Should().Equal(4);
            conv.weight.requires_grad.Should().BeTrue();
            double bound = 1 / Math.Sqrt(2 * 3 * 3);
            var w = Values.F32(conv.weight);
            w.Should().OnlyContain(v => Math.Abs(v) <= bound);
            w.Max().Should().BeGreaterThan((float)(bound * 0.5));
            w.Min().Should().BeLessThan((float)(-bound * 0.5));
            Values.F32(conv.bias).Should().OnlyContain(v => Math.Abs(v) <= bound);
            conv.named_parameters().Select(p => p.name).Should().Equal("weight", "bias");

            var y = conv.call(randn(5, 2, 7, 6));
            y.shape.Should().Equal(5, 4, 7, 6);

            using var noBias = nn.Conv2d(2, 4, (3, 1), stride: (2, 1), bias: false);
            noBias.bias.Should().BeNull();
            noBias.parameters().Should().HaveCount(1);
            noBias.call(randn(1, 2, 7, 6)).shape.Should().Equal(1, 4, 3, 6);

            using var same = nn.Conv2d(2, 3, 4, Padding.Same, dtype: ScalarType.Float64);
            same.weight.dtype.Should().Be(ScalarType.Float64);
            same.call(randn(1, 2, 5, 5, ScalarType.Float64)).shape.Should().Equal(1, 3, 5, 5);
        }

        [Fact]
        public void Conv2dPaddingModesPadBeforeConvolving()
        {
            using var scope = NewDisposeScope();
            using var conv = nn.Conv2d(1, 1, 3, padding: 1, padding_mode: PaddingModes.Replicate, bias: false, dtype: ScalarType.Float64);
            using (no_grad()) conv.weight.fill_(1.0 / 9);
            var x = full(new long[] { 1, 1, 4, 4 }, 2.0, ScalarType.Float64);
            // Replicate padding of a constant image keeps the box filter at the constant; zero padding would not.
            Close.Expect(Values.F64(conv.call(x)), 1e-12, Enumerable.Repeat(2.0, 16).ToArray());

            using var reflect = nn.Conv2d(1, 1, 3, padding: 1, padding_mode: PaddingModes.Reflect, bias: false, dtype: ScalarType.Float64);
            using (no_grad()) reflect.weight.copy_(F.pad(tensor(new[] { 1.0 }, new long[] { 1, 1, 1, 1 }), new long[] { 1, 1, 1, 1 }));
            // A centred delta kernel returns the input.
            Values.F64(reflect.call(Ramp(1, 1, 3, 3))).Should().Equal(Values.F64(Ramp(1, 1, 3, 3)));
        }

        [Fact]
        public void ConvTranspose2dUpsamplesAndInvertsConvShapes()
        {
            using var scope = NewDisposeScope();
            using var up = nn.ConvTranspose2d(4, 2, 2, stride: 2);
            up.weight.shape.Should().Equal(4, 2, 2, 2);
            up.call(randn(3, 4, 5, 6)).shape.Should().Equal(3, 2, 10, 12);

            // 1x1 input, all-ones 2x2 kernel, stride 2: the output is the input value in every cell.
            var w = ones(1, 1, 2, 2, ScalarType.Float64);
            Values.F64(F.conv_transpose2d(full(new long[] { 1, 1, 1, 1 }, 3.0, ScalarType.Float64), w, strides: new long[] { 2, 2 })).Should().Equal(3, 3, 3, 3);
            var op = F.conv_transpose2d(randn(1, 1, 3, 3, ScalarType.Float64), w, strides: new long[] { 2, 2 }, padding: new long[] { 1, 1 }, output_padding: new long[] { 1, 1 });
            op.shape.Should().Equal(1, 1, 5, 5);      // (3 - 1) * 2 - 2 * 1 + (2 - 1) + 1 + 1
        }

        [Fact]
        public void PoolingLayers()
        {
            using var scope = NewDisposeScope();
            var x = Ramp(1, 1, 4, 4);
            Values.F64(F.max_pool2d(x, 2)).Should().Equal(6, 8, 14, 16);
            Values.F64(F.max_pool2d(x, (2, 2), stride: (1, 1))).Should().Equal(6, 7, 8, 10, 11, 12, 14, 15, 16);
            Values.F64(F.max_pool2d(x, new long[] { 3, 3 }, new long[] { 1, 1 }, new long[] { 1, 1 })).Should().HaveCount(16);
            Values.F64(F.avg_pool2d(x, 2)).Should().Equal(3.5, 5.5, 11.5, 13.5);
            Values.F64(F.avg_pool2d(x, 2, divisor_override: 1)).Should().Equal(14, 22, 46, 54);
            Values.F64(F.adaptive_avg_pool2d(x, new long[] { 1, 1 })).Should().Equal(8.5);

            using var mp = nn.MaxPool2d(2);
            mp.call(x).shape.Should().Equal(1, 1, 2, 2);
            using var ap = nn.AvgPool2d((2, 1));
            ap.call(x).shape.Should().Equal(1, 1, 2, 4);
            using var gap = nn.AdaptiveAvgPool2d(1);
            Values.F64(gap.call(x)).Should().Equal(8.5);
            using var mpc = nn.MaxPool2d(new long[] { 3, 3 }, stride: new long[] { 2, 2 }, ceil_mode: true);
            mpc.call(Ramp(1, 1, 6, 6)).shape.Should().Equal(1, 1, 3, 3);
        }

        [Fact]
        public void BatchNormUsesBatchStatisticsInTrainingAndRunningStatisticsInEval()
        {
            using var scope = NewDisposeScope();
            using var bn = nn.BatchNorm2d(1, dtype: ScalarType.Float64);
            bn.named_parameters().Select(p => p.name).Should().Equal("weight", "bias");
            bn.named_buffers().Select(b => b.name).Should().Equal("running_mean", "running_var", "num_batches_tracked");
            var x = tensor(new[] { 1.0, 2.0, 3.0, 4.0 }, new long[] { 2, 1, 1, 2 });

            // Training: mean 2.5, biased variance 1.25.
            bn.training.Should().BeTrue();
            var y = bn.call(x);
            double sd = Math.Sqrt(1.25 + 1e-5);
            Close.Expect(Values.F64(y), 1e-12, -1.5 / sd, -0.5 / sd, 0.5 / sd, 1.5 / sd);
            // Running statistics: momentum 0.1 toward the mean and the unbiased variance (5/3).
            Close.Expect(Values.F64(bn.running_mean!), 1e-12, 0.25);
            Close.Expect(Values.F64(bn.running_var!), 1e-12, 0.9 + 0.1 * 5.0 / 3);
            bn.num_batches_tracked!.item<long>().Should().Be(1);

            bn.eval();
            bn.training.Should().BeFalse();
            var z = bn.call(x);
            double rsd = Math.Sqrt(0.9 + 0.1 * 5.0 / 3 + 1e-5);
            Close.Expect(Values.F64(z), 1e-12, 0.75 / rsd, 1.75 / rsd, 2.75 / rsd, 3.75 / rsd);
            Close.Expect(Values.F64(bn.running_mean!), 1e-12, 0.25);
            bn.num_batches_tracked!.item<long>().Should().Be(1);

            var bad = () => bn.call(tensor(new[] { 1.0, 2.0 }));
            bad.Should().Throw<ArgumentException>();
        }

        [Fact]
        public void BatchNormLearnsScaleAndShift()
        {
            using var scope = NewDisposeScope();
            using var bn = nn.BatchNorm2d(3);
            var x = randn(4, 3, 5, 5, requires_grad: true);
            bn.call(x).sum().backward();
            using var g = bn.bias!.grad!;
            Values.F32(g).Should().Equal(100f, 100f, 100f); // d(sum)/d(bias) = N*H*W
            bn.weight!.grad.Should().NotBeNull();
        }

        [Fact]
        public void NearestInterpolationResizesIntegerLabelMaps()
        {
            using var scope = NewDisposeScope();
            var labels = tensor(new long[] { 0, 1, 2, 3 }, new long[] { 1, 1, 2, 2 });
            var up = F.interpolate(labels, new long[] { 4, 4 });
            up.dtype.Should().Be(ScalarType.Int64);
            Values.I64(up).Should().Equal(0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3);
            Values.I64(F.interpolate(up, scale_factor: new[] { 0.5 })).Should().Equal(0, 1, 2, 3);

            // 5-D label volumes (deep supervision of 3-D segmentation).
            var vol = tensor(Enumerable.Range(0, 8).Select(i => (long)i).ToArray(), new long[] { 1, 1, 2, 2, 2 });
            var big = F.interpolate(vol, scale_factor: new[] { 2.0 });
            big.shape.Should().Equal(1, 1, 4, 4, 4);
            Values.I64(F.interpolate(big, new long[] { 2, 2, 2 })).Should().Equal(0, 1, 2, 3, 4, 5, 6, 7);

            // 3-D (N, C, L).
            Values.I64(F.interpolate(tensor(new long[] { 5, 7 }, new long[] { 1, 1, 2 }), new long[] { 4 })).Should().Equal(5, 5, 7, 7);
        }

        [Theory]
        [InlineData(7, 3, false)]
        [InlineData(5, 8, false)]
        [InlineData(6, 4, false)]
        [InlineData(7, 3, true)]
        [InlineData(5, 8, true)]
        [InlineData(3, 9, true)]
        public void IntegerNearestMatchesTheFloatingPointKernel(long inSize, long outSize, bool exact)
        {
            using var scope = NewDisposeScope();
            manual_seed(inSize * 31 + outSize);
            var mode = exact ? InterpolationMode.NearestExact : InterpolationMode.Nearest;
            var labels = randint(0, 5, new long[] { 2, 1, inSize, inSize + 1 });
            var asInt = F.interpolate(labels, new long[] { outSize, outSize + 2 }, mode: mode);
            var asFloat = F.interpolate(labels.to(ScalarType.Float32), new long[] { outSize, outSize + 2 }, mode: mode).to(ScalarType.Int64);
            Values.I64(asInt).Should().Equal(Values.I64(asFloat));

            double s = (double)outSize / inSize;
            var byScaleInt = F.interpolate(labels.unsqueeze(2), scale_factor: new[] { 1.0, s, s }, mode: mode);
            var byScaleFloat = F.interpolate(labels.unsqueeze(2).to(ScalarType.Float64), scale_factor: new[] { 1.0, s, s }, mode: mode).to(ScalarType.Int64);
            Values.I64(byScaleInt).Should().Equal(Values.I64(byScaleFloat));
        }

        [Fact]
        public void LinearInterpolationModes()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 0.0, 1.0, 2.0, 3.0 }, new long[] { 1, 1, 2, 2 });
            Values.F64(F.interpolate(x, new long[] { 3, 3 }, mode: InterpolationMode.Bilinear, align_corners: true))
                .Should().Equal(0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3);
            Values.F64(F.interpolate(x, scale_factor: new[] { 2.0 }, mode: InterpolationMode.Bilinear))[0].Should().Be(0);
            F.interpolate(x.unsqueeze(2), new long[] { 2, 4, 4 }, mode: InterpolationMode.Trilinear, align_corners: false).shape.Should().Equal(1, 1, 2, 4, 4);
            Values.F64(F.interpolate(tensor(new[] { 0.0, 2.0 }, new long[] { 1, 1, 2 }), new long[] { 3 }, mode: InterpolationMode.Linear, align_corners: true))
                .Should().Equal(0, 1, 2);
            Values.F64(F.interpolate(x, new long[] { 1, 1 }, mode: InterpolationMode.Area)).Should().Equal(1.5);
            Values.F64(F.upsample(x, scale_factor: new[] { 2.0 }))[1].Should().Be(0);

            using var up = nn.Upsample(scale_factor: new[] { 2.0 }, mode: UpsampleMode.Bilinear, align_corners: true);
            up.call(x).shape.Should().Equal(1, 1, 4, 4);

            var wrongRank = () => F.interpolate(x, new long[] { 2, 2, 2 }, mode: InterpolationMode.Trilinear);
            wrongRank.Should().Throw<System.Runtime.InteropServices.ExternalException>();
            var both = () => F.interpolate(x, new long[] { 3, 3 }, new[] { 2.0 });
            both.Should().Throw<System.Runtime.InteropServices.ExternalException>();
            var alignNearest = () => F.interpolate(x, new long[] { 3, 3 }, align_corners: true);
            alignNearest.Should().Throw<System.Runtime.InteropServices.ExternalException>();
        }

        [Fact]
        public void PadModes()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 1.0, 2.0, 3.0 }, new long[] { 1, 1, 3 });
            Values.F64(F.pad(x, new long[] { 1, 2 })).Should().Equal(0, 1, 2, 3, 0, 0);
            Values.F64(F.pad(x, new long[] { 1, 1 }, PaddingModes.Constant, 9)).Should().Equal(9, 1, 2, 3, 9);
            Values.F64(F.pad(x, (2, 1), PaddingModes.Reflect)).Should().Equal(3, 2, 1, 2, 3, 2);
            Values.F64(F.pad(x, new long[] { 2, 1 }, PaddingModes.Replicate)).Should().Equal(1, 1, 1, 2, 3, 3);
            Values.F64(F.pad(x, new long[] { 1, 1 }, PaddingModes.Circular)).Should().Equal(3, 1, 2, 3, 1);
            F.pad(Ramp(1, 1, 2, 2), 1).shape.Should().Equal(1, 1, 4, 4);
            F.pad(Ramp(1, 1, 2, 2), (1, 0, 0, 2)).shape.Should().Equal(1, 1, 4, 3);
        }

        [Fact]
        public void DropoutScalesInTrainingAndIsTheIdentityInEval()
        {
            using var scope = NewDisposeScope();
            manual_seed(7);
            var x = ones(1000, ScalarType.Float64);
            var y = Values.F64(F.dropout(x, 0.25));
            y.Should().OnlyContain(v => v == 0 || Math.Abs(v - 1 / 0.75) < 1e-12);
            y.Count(v => v == 0).Should().BeInRange(150, 350);
            Values.F64(F.dropout(x, 0.25, training: false)).Should().OnlyContain(v => v == 1);

            using var drop = nn.Dropout(0.5);
            drop.eval();
            Values.F64(drop.call(x)).Should().OnlyContain(v => v == 1);

            var maps = ones(new long[] { 4, 16, 3, 3 });
            var dropped = F.dropout2d(maps, 0.5);
            // Whole channels are zeroed: each (n, c) plane is constant.
            var planes = dropped.reshape(64, 9);
            Values.F32(planes.amax(new long[] { 1 })).Should().Equal(Values.F32(planes.amin(new long[] { 1 })));
            var badP = () => F.dropout(x, 1.5);
            badP.Should().Throw<ArgumentOutOfRangeException>();
        }

        [Fact]
        public void LinearLayer()
        {
            using var scope = NewDisposeScope();
            var w = tensor(new[] { 1.0, 2.0, 3.0, 4.0, 5.0, 6.0 }, new long[] { 2, 3 });
            var x = tensor(new[] { 1.0, 0.0, -1.0 }, new long[] { 1, 3 });
            Values.F64(F.linear(x, w, tensor(new[] { 0.5, -0.5 }))).Should().Equal(-1.5, -2.5);

            using var lin = nn.Linear(3, 2);
            lin.weight.shape.Should().Equal(2, 3);
            Values.F32(lin.weight).Should().OnlyContain(v => Math.Abs(v) <= 1 / Math.Sqrt(3));
            lin.call(randn(5, 3)).shape.Should().Equal(5, 2);
            using var noBias = nn.Linear(3, 2, hasBias: false);
            noBias.bias.Should().BeNull();
        }

        [Fact]
        public void ActivationModules()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { -1.0, 0.0, 2.0 });
            using var relu = nn.ReLU();
            Values.F64(relu.call(x)).Should().Equal(0, 0, 2);
            using var sig = nn.Sigmoid();
            Values.F64(sig.call(x))[1].Should().Be(0.5);
            using var id = nn.Identity();
            var same = id.call(x);
            same.Should().NotBeSameAs(x);
            Values.F64(same).Should().Equal(-1, 0, 2);
            using var sm = nn.Softmax(0);
            Values.F64(sm.call(x)).Sum().Should().BeApproximately(1, 1e-12);
            using var flat = nn.Flatten();
            flat.call(zeros(2, 3, 4)).shape.Should().Equal(2, 12);
            var y = x.clone();
            using var inplace = nn.ReLU(inplace: true);
            inplace.call(y).Should().BeSameAs(y);
        }
    }
}
