using System;
using System.Runtime.InteropServices;
using FluentAssertions;
using TorchSharp;
using TorchSharpCompat.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace TorchSharpCompat.Tests
{
    /// <summary>dtype conversions and round trips, ScalarType codes, devices and CUDA availability.</summary>
    public sealed class DtypeDeviceTests
    {
        [Fact]
        public void Float64RoundTripThroughFloat32KeepsRepresentableValues()
        {
            using var scope = NewDisposeScope();
            var f = tensor(new[] { 0.5f, -1.25f, 3e-3f, 1e6f });
            var d = f.to(float64);
            d.dtype.Should().Be(ScalarType.Float64);
            Values.F64(d).Should().Equal(0.5, -1.25, (double)3e-3f, 1e6);
            var back = d.to(float32);
            back.dtype.Should().Be(ScalarType.Float32);
            Values.F32(back).Should().Equal(0.5f, -1.25f, 3e-3f, 1e6f);

            // Narrowing rounds to the nearest float32.
            tensor(0.1).to(float32).item<float>().Should().Be(0.1f);
            f.@double().dtype.Should().Be(ScalarType.Float64);
            d.@float().dtype.Should().Be(ScalarType.Float32);
        }

        [Fact]
        public void ToInt64TruncatesTowardZero()
        {
            using var scope = NewDisposeScope();
            var l = tensor(new[] { 2.7, -2.7, 0.4, 1e10 }).to(int64);
            l.dtype.Should().Be(ScalarType.Int64);
            Values.I64(l).Should().Equal(2, -2, 0, 10_000_000_000);
            Values.I64(tensor(new[] { 1.9, -0.9 }).@long()).Should().Equal(1, 0);
            tensor(new[] { 5L }).@int().dtype.Should().Be(ScalarType.Int32);
            tensor(new[] { 5L }).type(int16).dtype.Should().Be(ScalarType.Int16);
            tensor(new[] { 5L }).to_type(int8).dtype.Should().Be(ScalarType.Int8);
        }

        [Fact]
        public void BoolConversionIsNonZero()
        {
            using var scope = NewDisposeScope();
            var b = tensor(new[] { 0.0, 2.0, -1.0, 0.5 }).@bool();
            b.dtype.Should().Be(ScalarType.Bool);
            b.element_size().Should().Be(1);
            Values.Bool(b).Should().Equal(false, true, true, true);
            Values.F64(b.to(float64)).Should().Equal(0, 1, 1, 1);
            Values.I64(tensor(new[] { true, false }).@long()).Should().Equal(1, 0);
            tensor(new[] { 300L }).@byte().item<byte>().Should().Be(44, "300 wraps modulo 256");
        }

        [Fact]
        public void HalfRoundTripOfExactlyRepresentableValues()
        {
            using var scope = NewDisposeScope();
            var exact = new[] { 0f, 1f, -2.5f, 0.125f, 1024f, 65504f, 6.103515625e-05f };
            var h = tensor(exact).half();
            h.dtype.Should().Be(ScalarType.Float16);
            h.element_size().Should().Be(2);
            h.is_floating_point().Should().BeTrue();
            Values.F32(h.to(float32)).Should().Equal(exact);
            h.data<Half>().ToArray()[2].Should().Be((Half)(-2.5f));

            // A value float16 cannot hold is rounded: 1 + 2^-12 is below half of float16's epsilon 2^-10.
            tensor(new[] { 1f + 1f / 4096 }).half().@float().item<float>().Should().Be(1f);
            tensor(new[] { 1e5f }).half().@float().item<float>().Should().Be(float.PositiveInfinity, "float16 overflows above 65504");
        }

        [Fact]
        public void Bfloat16RoundTripOfExactlyRepresentableValues()
        {
            using var scope = NewDisposeScope();
            var exact = new[] { 0f, 1f, -3f, 0.5f, 256f, 1.5f, 1099511627776f /* 2^40 */ };
            var b = tensor(exact).bfloat16();
            b.dtype.Should().Be(ScalarType.BFloat16);
            b.element_size().Should().Be(2);
            Values.F32(b.to(float32)).Should().Equal(exact);
            // bfloat16 keeps float32's range but only 8 significant bits: 1.001 becomes 1.
            tensor(new[] { 1.001f }).bfloat16().@float().item<float>().Should().Be(1f);
            tensor(new[] { 1e38f }).bfloat16().@float().item<float>().Should().BeApproximately(1e38f, 1e36f);
        }

        [Fact]
        public void ToWithTheSameDtypeOrDeviceKeepsTheValues()
        {
            using var scope = NewDisposeScope();
            var t = tensor(new[] { 1.0, 2.0 });
            var cpu = t.to(CPU);
            cpu.device_type.Should().Be(DeviceType.CPU);
            cpu.device.Should().Be(CPU);
            Values.F64(cpu).Should().Equal(1, 2);
            Values.F64(t.cpu()).Should().Equal(1, 2);
            Values.F64(t.to("cpu")).Should().Equal(1, 2);
            Values.F64(t.to(DeviceType.CPU)).Should().Equal(1, 2);

            // Without copy the result aliases the source; with copy it does not.
            var alias = t.to(float64);
            var copy = t.to(float64, copy: true);
            t.fill_(5);
            Values.F64(alias).Should().Equal(5, 5);
            Values.F64(copy).Should().Equal(1, 2);

            var other = tensor(new[] { 1 });
            var like = tensor(new[] { 2.5 }).to(other);
            like.dtype.Should().Be(ScalarType.Int32);
            tensor(new[] { 1f }).type_as(t).dtype.Should().Be(ScalarType.Float64);
        }

        [Fact]
        public void ToWithDisposeAfterReleasesTheSource()
        {
            using var scope = NewDisposeScope();
            var source = tensor(new[] { 1.5 });
            var converted = source.to(float32, disposeAfter: true);
            source.IsInvalid.Should().BeTrue();
            converted.item<float>().Should().Be(1.5f);
        }

        [Fact]
        public void ScalarTypeCodesAreLibtorchs()
        {
            ((sbyte)ScalarType.Byte).Should().Be(0);
            ((sbyte)ScalarType.Int8).Should().Be(1);
            ((sbyte)ScalarType.Int16).Should().Be(2);
            ((sbyte)ScalarType.Int32).Should().Be(3);
            ((sbyte)ScalarType.Int64).Should().Be(4);
            ((sbyte)ScalarType.Float16).Should().Be(5);
            ((sbyte)ScalarType.Float32).Should().Be(6);
            ((sbyte)ScalarType.Float64).Should().Be(7);
            ((sbyte)ScalarType.Bool).Should().Be(11);
            ((sbyte)ScalarType.BFloat16).Should().Be(15);
            float32.Should().Be(ScalarType.Float32);
            @long.Should().Be(ScalarType.Int64);
            @bool.Should().Be(ScalarType.Bool);
            half.Should().Be(ScalarType.Float16);
        }

        [Fact]
        public void EveryDtypeReportedByLibtorchMatchesTheRequestedOne()
        {
            using var scope = NewDisposeScope();
            foreach (var type in new[] { ScalarType.Byte, ScalarType.Int8, ScalarType.Int16, ScalarType.Int32, ScalarType.Int64,
                                         ScalarType.Float16, ScalarType.Float32, ScalarType.Float64, ScalarType.Bool, ScalarType.BFloat16 })
            {
                var t = zeros(new long[] { 2 }, type);
                t.dtype.Should().Be(type);
                t.is_floating_point().Should().Be(type is ScalarType.Float16 or ScalarType.Float32 or ScalarType.Float64 or ScalarType.BFloat16);
                t.is_integral().Should().Be(type is ScalarType.Byte or ScalarType.Int8 or ScalarType.Int16 or ScalarType.Int32 or ScalarType.Int64);
                ones(new long[] { 2 }).to(type).dtype.Should().Be(type);
            }
        }

        [Fact]
        public void DefaultDtypeIsFloat32()
        {
            get_default_dtype().Should().Be(ScalarType.Float32);
            is_floating_point(ScalarType.BFloat16).Should().BeTrue();
            is_integral(ScalarType.Bool).Should().BeFalse();
        }

        [Fact]
        public void DeviceDescriptionsParse()
        {
            var cpu = new Device("cpu");
            cpu.type.Should().Be(DeviceType.CPU);
            cpu.index.Should().Be(-1);
            cpu.ToString().Should().Be("cpu");

            var cuda1 = device("cuda:1");
            cuda1.type.Should().Be(DeviceType.CUDA);
            cuda1.index.Should().Be(1);
            cuda1.ToString().Should().Be("cuda:1");

            device("CUDA").index.Should().Be(-1);
            device("cuda", 2).Should().Be(new Device(DeviceType.CUDA, 2));
            device(3).Should().Be(new Device("cuda:3"));
            Device implicitDevice = "cpu";
            implicitDevice.Should().Be(CPU);
            CUDA.type.Should().Be(DeviceType.CUDA);
            ((int)DeviceType.CUDA).Should().Be(1);

            var bad = () => new Device("tpu:0");
            bad.Should().Throw<ArgumentException>().WithMessage("*tpu*");
        }

        [Fact]
        public void CudaAvailabilityIsConsistent()
        {
            bool available = cuda.is_available();
            available.Should().Be(cuda_is_available());
            if (available) cuda.device_count().Should().BeGreaterThan(0);
            TryInitializeDeviceType(DeviceType.CPU).Should().BeTrue();
            TryInitializeDeviceType(DeviceType.CUDA).Should().Be(available);
        }

        [Fact]
        public void MovingToCudaWithoutCudaThrowsAndTheProcessSurvives()
        {
            // Only meaningful where CUDA is missing (Debian's libtorch is CPU-only); with CUDA, see CudaRoundTrip.
            if (cuda.is_available()) return;
            using var scope = NewDisposeScope();
            var t = tensor(new[] { 1.0 });
            t.Invoking(x => x.cuda()).Should().Throw<ExternalException>();
            t.Invoking(x => x.to(CUDA)).Should().Throw<ExternalException>();
            var act = () => zeros(new long[] { 2 }, device: CUDA);
            act.Should().Throw<ExternalException>();
            var init = () => InitializeDeviceType(DeviceType.CUDA);
            init.Should().Throw<InvalidOperationException>();
            (t + 1).item<double>().Should().Be(2);
        }

        [CudaFact]
        public void CudaRoundTrip()
        {
            using var scope = NewDisposeScope();
            var t = tensor(new[] { 1.5, -2.0 });
            var g = t.cuda();
            g.is_cuda.Should().BeTrue();
            g.device_type.Should().Be(DeviceType.CUDA);
            Values.F64(g * 2).Should().Equal(new[] { 3.0, -4.0 }, "reading back copies to the CPU");
            var back = g.cpu();
            back.is_cuda.Should().BeFalse();
            Values.F64(back).Should().Equal(1.5, -2.0);
            zeros(new long[] { 2 }, device: CUDA).device_type.Should().Be(DeviceType.CUDA);
            Values.F64(0.5 / g).Should().Equal(1.0 / 3, -0.25);
        }
    }
}
