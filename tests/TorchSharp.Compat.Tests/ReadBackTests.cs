using System;
using System.Linq;
using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace TorchSharpCompat.Tests
{
    /// <summary>Reading values back: item, data, the converting extension methods and casts.</summary>
    public sealed class ReadBackTests
    {
        [Fact]
        public void ItemReturnsTheSingleElementOfTheMatchingType()
        {
            using var scope = NewDisposeScope();
            tensor(1.25).item<double>().Should().Be(1.25);
            tensor(new[] { 1.25f }).item<float>().Should().Be(1.25f);
            tensor(new[] { -7L }).item<long>().Should().Be(-7);
            tensor(new[] { 42 }).item<int>().Should().Be(42);
            tensor(new[] { true }).item<bool>().Should().BeTrue();
            tensor(new byte[] { 200 }).item<byte>().Should().Be(200);
            tensor(new[] { 3.0 }, new long[] { 1, 1, 1 }).item<double>().Should().Be(3, "any shape with one element");
        }

        [Fact]
        public void ItemWithAMismatchedTypeThrowsArgumentException()
        {
            using var scope = NewDisposeScope();
            var f = tensor(new[] { 1.5f });
            var d = tensor(1.5);
            var l = tensor(new[] { 2L });
            f.Invoking(t => t.item<double>()).Should().Throw<ArgumentException>().WithMessage("*Float32*");
            d.Invoking(t => t.item<float>()).Should().Throw<ArgumentException>().WithMessage("*Float64*");
            l.Invoking(t => t.item<int>()).Should().Throw<ArgumentException>().WithMessage("*Int64*");
            l.Invoking(t => t.item<double>()).Should().Throw<ArgumentException>();
            tensor(new[] { true }).Invoking(t => t.item<byte>()).Should().Throw<ArgumentException>();
        }

        [Fact]
        public void ItemOfSeveralElementsThrowsArgumentException()
        {
            using var scope = NewDisposeScope();
            var t = tensor(new[] { 1.0, 2.0 });
            t.Invoking(x => x.item<double>()).Should().Throw<ArgumentException>().WithMessage("*exactly one element*2*");
        }

        [Fact]
        public void DataToArrayIsRowMajorAndChecksTheType()
        {
            using var scope = NewDisposeScope();
            var m = tensor(new[] { 1.0, 2.0, 3.0, 4.0, 5.0, 6.0 }, new long[] { 2, 3 });
            m.data<double>().ToArray().Should().Equal(1, 2, 3, 4, 5, 6);
            // A non-contiguous view reads in its logical (row-major) order.
            m.t().data<double>().ToArray().Should().Equal(1, 4, 2, 5, 3, 6);
            m.Invoking(x => x.data<float>()).Should().Throw<ArgumentException>();

            var accessor = m.data<double>();
            accessor.Count.Should().Be(6);
            accessor[1, 2].Should().Be(6);
            accessor[4].Should().Be(5, "a single index is a flat position");
            accessor.Sum().Should().Be(21, "the accessor enumerates the elements");
            var copy = new double[3];
            accessor.CopyTo(copy, 0, 3);
            copy.Should().Equal(4, 5, 6);
        }

        [Fact]
        public void WritingThroughTheAccessorUpdatesTheTensor()
        {
            using var scope = NewDisposeScope();
            var t = zeros(new long[] { 2, 2 }, float64);
            var accessor = t.data<double>();
            accessor[1, 0] = 5;
            t[1, 0].item<double>().Should().Be(5);
            t.data<double>().ToArray().Should().Equal(0, 0, 5, 0);
        }

        [Fact]
        public void DataOfAnEmptyTensorIsEmpty()
        {
            using var scope = NewDisposeScope();
            zeros(new long[] { 0, 3 }, float64).data<double>().ToArray().Should().BeEmpty();
        }

        [Fact]
        public void DataOfATensorThatRequiresGradCanBeRead()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
            (x * 2).data<double>().ToArray().Should().Equal(2, 4);
        }

        [Fact]
        public void ConvertingExtensionsAcceptAnyDtype()
        {
            using var scope = NewDisposeScope();
            tensor(2.75).ToSingle().Should().Be(2.75f);
            tensor(new[] { 2.75f }).ToDouble().Should().Be(2.75);
            tensor(2.75).ToInt64().Should().Be(2, "conversion to an integer truncates");
            tensor(-2.75).ToInt64().Should().Be(-2);
            tensor(new[] { 5L }).ToDouble().Should().Be(5.0);
            tensor(new[] { 5L }).ToSingle().Should().Be(5f);
            tensor(new[] { 7 }).ToInt64().Should().Be(7);
            tensor(new[] { 300L }).ToInt32().Should().Be(300);
            tensor(new[] { true }).ToDouble().Should().Be(1.0);
            tensor(0.0).ToBoolean().Should().BeFalse();
            tensor(0.5).ToBoolean().Should().BeTrue();
            tensor(new[] { 1.5 }).ToHalf().Should().Be((Half)1.5);
        }

        [Fact]
        public void ExplicitCastsAndScalars()
        {
            using var scope = NewDisposeScope();
            ((float)tensor(1.5)).Should().Be(1.5f);
            ((double)tensor(new[] { 1.5f })).Should().Be(1.5);
            ((long)tensor(9.9)).Should().Be(9);
            ((int)tensor(new[] { 4L })).Should().Be(4);
            ((bool)tensor(new[] { true })).Should().BeTrue();
            tensor(2.5).ToScalar().ToDouble().Should().Be(2.5);
            tensor(new[] { 3L }).ToScalar().ToInt64().Should().Be(3);
            tensor(new[] { 1.0, 2.0, 3.0 }).ReadCpuDouble(2).Should().Be(3);
            tensor(new[] { 4L, 5L }, new long[] { 1, 2 }).ReadCpuInt64(1).Should().Be(5);
        }

        [Fact]
        public void ImplicitConversionsFromPrimitivesAndArrays()
        {
            using var scope = NewDisposeScope();
            Tensor d = 2.5;
            d.dtype.Should().Be(ScalarType.Float64);
            d.item<double>().Should().Be(2.5);
            Tensor i = 3;
            i.dtype.Should().Be(ScalarType.Int32);
            i.item<int>().Should().Be(3);
            Tensor arr = new[] { 1f, 2f };
            arr.shape.Should().Equal(2);
            arr.dtype.Should().Be(ScalarType.Float32);
            Scalar s = 4L;
            Tensor fromScalar = s;
            fromScalar.item<long>().Should().Be(4);
        }

        [Fact]
        public void StrShowsTheValues()
        {
            using var scope = NewDisposeScope();
            var text = tensor(new[] { 1.5, -2.0 }).str();
            text.Should().Contain("[2], type = Float64").And.Contain("1.5").And.Contain("-2");
        }
    }
}
