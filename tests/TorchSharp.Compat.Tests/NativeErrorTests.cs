using System;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace TorchSharpCompat.Tests
{
    /// <summary>
    /// libtorch errors surface as ExternalException carrying libtorch's message, and the process (and the
    /// thread's error slot) keeps working afterwards.
    /// </summary>
    public sealed class NativeErrorTests
    {
        private static void ShouldThrowNative(Action action, string fragment)
        {
            action.Should().Throw<ExternalException>().Which.Message.Should().Contain(fragment);
            // The error slot was cleared: the next operation on this thread succeeds and reads back correctly.
            using var scope = NewDisposeScope();
            (tensor(new[] { 1.0, 2.0 }) + 1).sum().item<double>().Should().Be(5);
        }

        [Fact]
        public void MatmulWithMismatchedInnerDimensions()
        {
            using var scope = NewDisposeScope();
            var a = zeros(2, 3);
            var b = zeros(4, 5);
            ShouldThrowNative(() => a.matmul(b), "cannot be multiplied");
            ShouldThrowNative(() => a.mm(b), "2x3");
            ShouldThrowNative(() => zeros(2, 2, 3).bmm(zeros(2, 4, 1)), "batch2 tensor");
        }

        [Fact]
        public void AddWithShapesThatDoNotBroadcast()
        {
            using var scope = NewDisposeScope();
            var a = zeros(new long[] { 3 });
            var b = zeros(new long[] { 4 });
            ShouldThrowNative(() => a.add(b), "must match the size of tensor b (4)");
            ShouldThrowNative(() => _ = a + b, "The size of tensor a (3)");
            ShouldThrowNative(() => a.add_(zeros(2, 3)), "doesn't match the broadcast shape");
        }

        [Fact]
        public void GatherWithAnOutOfRangeIndex()
        {
            using var scope = NewDisposeScope();
            var t = zeros(new long[] { 2, 3 });
            var idx = tensor(new[] { 0L, 5L }, new long[] { 2, 1 });
            ShouldThrowNative(() => t.gather(1, idx), "out of bounds");
            ShouldThrowNative(() => t.gather(1, tensor(new[] { 0, 1 }, new long[] { 2, 1 })), "int64");
            ShouldThrowNative(() => t.index_select(0, tensor(new[] { 7L })), "out of range");
        }

        [Fact]
        public void ViewAndReshapeWithIncompatibleShapes()
        {
            using var scope = NewDisposeScope();
            var t = zeros(2, 3);
            ShouldThrowNative(() => t.view(4, 2), "shape '[4, 2]' is invalid for input of size 6");
            ShouldThrowNative(() => t.reshape(5), "invalid for input of size 6");
            ShouldThrowNative(() => t.t().view(6), "view size is not compatible");
            ShouldThrowNative(() => t.permute(0), "does not match the length of the desired ordering");
            ShouldThrowNative(() => t.expand(4, 3), "must match the existing size");
        }

        [Fact]
        public void DimensionAndIndexErrors()
        {
            using var scope = NewDisposeScope();
            var t = zeros(2, 3);
            ShouldThrowNative(() => t.sum(5), "Dimension out of range");
            ShouldThrowNative(() => t.softmax(2), "Dimension out of range");
            ShouldThrowNative(() => _ = t[5], "index 5 is out of bounds for dimension 0 with size 2");
            ShouldThrowNative(() => cat(new[] { zeros(2, 3), zeros(2, 4) }, 0), "Sizes of tensors must match");
            ShouldThrowNative(() => t.masked_fill(tensor(new[] { true, false }), 0), "at non-singleton dimension 1");
            ShouldThrowNative(() => t.squeeze(3), "Dimension out of range");
            ShouldThrowNative(() => t.topk(4), "out of range");
        }

        [Fact]
        public void InPlaceErrorsOnVoidEntryPoints()
        {
            using var scope = NewDisposeScope();
            var i = tensor(new[] { 1L, 2L });
            ShouldThrowNative(() => i.div_(2), "result type Float can't be cast to the desired output type Long");
            var leaf = tensor(new[] { 1.0 }, requires_grad: true);
            ShouldThrowNative(() => leaf.add_(1), "a leaf Variable that requires grad");
        }

        [Fact]
        public void ErrorsOnDifferentThreadsDoNotLeakIntoEachOther()
        {
            // The error slot is per thread: a failure on one thread must not make another thread's call throw.
            var failures = Parallel.For(0, 8, i =>
            {
                using var scope = NewDisposeScope();
                if (i % 2 == 0)
                {
                    var act = () => zeros(2, 3).matmul(zeros(4, 5));
                    act.Should().Throw<ExternalException>();
                }
                else
                {
                    (ones(2, 3).sum() + i).item<float>().Should().Be(6 + i);
                }
            });
            failures.IsCompleted.Should().BeTrue();
        }

        [Fact]
        public void ManagedValidationThrowsManagedExceptions()
        {
            using var scope = NewDisposeScope();
            var t = zeros(2, 3);
            t.Invoking(x => x.size(2)).Should().Throw<IndexOutOfRangeException>();
            t.Invoking(x => x.split(0)).Should().Throw<ArgumentException>();
            var badRandint = () => randint(5, 5, new long[] { 2 });
            badRandint.Should().Throw<ArgumentException>();
            var emptyCat = () => cat(Array.Empty<Tensor>(), 0);
            emptyCat.Should().Throw<ArgumentException>();
        }
    }
}
