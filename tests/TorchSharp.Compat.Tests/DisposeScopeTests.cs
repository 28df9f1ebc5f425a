using System;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FluentAssertions;
using TorchSharp;
using TorchSharpCompat.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace TorchSharpCompat.Tests
{
    /// <summary>
    /// Lifetime of native tensors: dispose scopes, moving and detaching tensors, double disposal and the
    /// finalizer, all measured with Tensor.TotalCount (the number of live native tensors).
    /// </summary>
    [Collection(LiveTensorCollection.Name)]
    public sealed class DisposeScopeTests
    {
        [Fact]
        public void AScopeDisposesEverythingCreatedInIt()
        {
            long before = LiveTensorCollection.SettledCount();
            Tensor a;
            Tensor[] parts;
            using (var scope = NewDisposeScope())
            {
                a = rand(4, 3);
                var b = a * 2 + 1;                  // two results
                var (values, indexes) = b.max(0);   // two more
                parts = b.split(2);                 // two more
                Tensor.TotalCount.Should().Be(before + 7);
                scope.DisposablesCount.Should().Be(7);
                values.shape.Should().Equal(3);
                indexes.shape.Should().Equal(3);
            }
            Tensor.TotalCount.Should().Be(before);
            a.IsInvalid.Should().BeTrue();
            parts.Should().OnlyContain(p => p.IsInvalid);
        }

        [Fact]
        public void MoveToOuterDisposeScopeKeepsExactlyTheMovedTensorAlive()
        {
            long before = LiveTensorCollection.SettledCount();
            Tensor kept;
            using (var outer = NewDisposeScope())
            {
                var o = ones(new long[] { 3 }, float64);
                Tensor moved;
                Tensor temporary;
                using (var inner = NewDisposeScope())
                {
                    CurrentDisposeScope.Should().BeSameAs(inner);
                    inner.OuterScope.Should().BeSameAs(outer);
                    temporary = ones(new long[] { 3 }, float64) * 2;
                    moved = (temporary + o).MoveToOuterDisposeScope();
                    inner.Contains(moved).Should().BeFalse();
                    outer.Contains(moved).Should().BeTrue();
                    inner.DisposablesCount.Should().Be(2);
                }
                CurrentDisposeScope.Should().BeSameAs(outer);
                temporary.IsInvalid.Should().BeTrue();
                moved.IsInvalid.Should().BeFalse();
                Tensor.TotalCount.Should().Be(before + 2, "o and the moved result");
                Values.F64(moved).Should().Equal(3, 3, 3);

                // The outer scope has no enclosing scope: moving out of it detaches the tensor.
                kept = moved.MoveToOuterDisposeScope();
                kept.Should().BeSameAs(moved);
                outer.Contains(kept).Should().BeFalse();
            }
            Tensor.TotalCount.Should().Be(before + 1);
            Values.F64(kept).Should().Equal(3, 3, 3);
            kept.Dispose();
            Tensor.TotalCount.Should().Be(before);
        }

        [Fact]
        public void DetachFromDisposeScopeHandsOwnershipToTheCaller()
        {
            long before = LiveTensorCollection.SettledCount();
            Tensor detached;
            using (var scope = NewDisposeScope())
            {
                detached = tensor(new[] { 1.0, 2.0 }).DetachFromDisposeScope();
                scope.Contains(detached).Should().BeFalse();
                var other = detached * 2;
                scope.Contains(other).Should().BeTrue();
            }
            detached.IsInvalid.Should().BeFalse();
            Tensor.TotalCount.Should().Be(before + 1);
            Values.F64(detached).Should().Equal(1, 2);
            detached.Dispose();
            Tensor.TotalCount.Should().Be(before);
        }

        [Fact]
        public void DisposingATensorTwiceIsSafe()
        {
            long before = LiveTensorCollection.SettledCount();
            var t = ones(new long[] { 2 });
            Tensor.TotalCount.Should().Be(before + 1);
            t.Dispose();
            Tensor.TotalCount.Should().Be(before);
            t.Dispose();
            Tensor.TotalCount.Should().Be(before, "a second Dispose releases nothing");
            t.IsInvalid.Should().BeTrue();
            t.Invoking(x => x.Handle).Should().Throw<InvalidOperationException>();
            t.Invoking(x => x + 1).Should().Throw<InvalidOperationException>();
            t.ToString().Should().Contain("disposed");
        }

        [Fact]
        public void ManualDisposeInsideAScopeLeavesTheScope()
        {
            long before = LiveTensorCollection.SettledCount();
            using (var scope = NewDisposeScope())
            {
                var a = zeros(new long[] { 2 });
                var b = zeros(new long[] { 2 });
                scope.DisposablesCount.Should().Be(2);
                a.Dispose();
                scope.DisposablesCount.Should().Be(1);
                scope.Contains(a).Should().BeFalse();
                scope.Contains(b).Should().BeTrue();
                Tensor.TotalCount.Should().Be(before + 1);
            }
            Tensor.TotalCount.Should().Be(before);
        }

        [Fact]
        public void DisposeEverythingFreesTheScopesTensorsButKeepsItOpen()
        {
            long before = LiveTensorCollection.SettledCount();
            using (var scope = NewDisposeScope())
            {
                var a = rand(2);
                var b = a + 1;
                var keep = a * 3;
                scope.DisposeEverythingBut(keep);
                a.IsInvalid.Should().BeTrue();
                b.IsInvalid.Should().BeTrue();
                keep.IsInvalid.Should().BeFalse();
                Tensor.TotalCount.Should().Be(before + 1);

                scope.DisposeEverything();
                keep.IsInvalid.Should().BeTrue();
                Tensor.TotalCount.Should().Be(before);
                scope.DisposablesCount.Should().Be(0);
                scope.IsDisposed.Should().BeFalse();
                CurrentDisposeScope.Should().BeSameAs(scope);

                var later = zeros(new long[] { 1 });
                scope.Contains(later).Should().BeTrue("the scope still collects new tensors");
                Tensor.TotalCount.Should().Be(before + 1);
            }
            Tensor.TotalCount.Should().Be(before);
        }

        [Fact]
        public void TensorsCreatedOutsideAScopeAreLeftAlone()
        {
            long before = LiveTensorCollection.SettledCount();
            var outside = tensor(new[] { 1.0 });
            using (var scope = NewDisposeScope())
            {
                scope.Contains(outside).Should().BeFalse();
                (outside + 1).item<double>().Should().Be(2);
            }
            outside.IsInvalid.Should().BeFalse();
            Tensor.TotalCount.Should().Be(before + 1);
            outside.Dispose();
            Tensor.TotalCount.Should().Be(before);
        }

        [Fact]
        public void MovingBetweenScopesExplicitly()
        {
            long before = LiveTensorCollection.SettledCount();
            using (var first = NewDisposeScope())
            {
                var anchor = zeros(new long[] { 1 });
                Tensor moved;
                using (var second = NewDisposeScope())
                {
                    moved = ones(new long[] { 1 }).MoveToOtherDisposeScope(anchor);
                    first.Contains(moved).Should().BeTrue();
                    second.Contains(moved).Should().BeFalse();

                    var viaScope = second.MoveToOuter(ones(new long[] { 1 }));
                    first.Contains(viaScope).Should().BeTrue();

                    var detached = second.Detach(ones(new long[] { 1 }));
                    second.Contains(detached).Should().BeFalse();
                    first.Attach(detached);
                    first.Contains(detached).Should().BeTrue();
                }
                moved.IsInvalid.Should().BeFalse();
                Tensor.TotalCount.Should().Be(before + 4);
            }
            Tensor.TotalCount.Should().Be(before);
        }

        [Fact]
        public void WrappedTensorDisposeScopeReturnsOnlyTheResult()
        {
            long before = LiveTensorCollection.SettledCount();
            var result = WrappedTensorDisposeScope(() =>
            {
                var x = arange(4, float64);
                return (x * x).sum();
            });
            Tensor.TotalCount.Should().Be(before + 1);
            result.item<double>().Should().Be(14);
            result.Dispose();
            Tensor.TotalCount.Should().Be(before);
        }

        [Fact]
        public void TheFinalizerReleasesTensorsNobodyDisposed()
        {
            long before = LiveTensorCollection.SettledCount();
            var weak = CreateUnreferencedTensors(10, before);
            LiveTensorCollection.SettledCount().Should().Be(before);
            weak.Should().OnlyContain(w => !w.IsAlive);
        }

        // Creates tensors outside any scope and returns only weak references, so nothing roots them afterwards.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static WeakReference[] CreateUnreferencedTensors(int n, long before)
        {
            var tensors = new Tensor[n];
            for (int i = 0; i < n; i++) tensors[i] = ones(new long[] { 4 });
            Tensor.TotalCount.Should().Be(before + n);
            return tensors.Select(t => new WeakReference(t)).ToArray();
        }

        [Fact]
        public void FailedOperationsLeaveNoTensorBehind()
        {
            long before = LiveTensorCollection.SettledCount();
            using (var scope = NewDisposeScope())
            {
                var a = zeros(new long[] { 2, 3 });
                var b = zeros(new long[] { 4 });
                Tensor.TotalCount.Should().Be(before + 2);
                a.Invoking(x => x + b).Should().Throw<ExternalException>();
                a.Invoking(x => x.max(5)).Should().Throw<ExternalException>();
                a.Invoking(x => x.sort(7)).Should().Throw<ExternalException>();
                Tensor.TotalCount.Should().Be(before + 2);
                scope.DisposablesCount.Should().Be(2);
            }
            Tensor.TotalCount.Should().Be(before);
        }

        [Fact]
        public void AutogradInsideAScopeLeavesNothingBehind()
        {
            long before = LiveTensorCollection.SettledCount();
            using (var scope = NewDisposeScope())
            {
                var x = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
                (x * x).sum().backward();
                Values.F64(x.grad!).Should().Equal(2, 4);
                var g = autograd.grad(new[] { (x * 3).sum() }, new[] { x });
                g[0].requires_grad.Should().BeFalse();
            }
            Tensor.TotalCount.Should().Be(before, "gradients read back and autograd.grad results belong to the scope too");
        }

        [Fact]
        public void ReadingValuesBackLeavesNoTensorBehind()
        {
            var t = tensor(new[] { 1.5f, -2f });
            var one = tensor(new[] { 3L });
            long before = LiveTensorCollection.SettledCount();
            t.str().Should().Contain("1.5");
            one.ToDouble().Should().Be(3.0);
            one.ToSingle().Should().Be(3f);
            t.data<float>().ToArray().Should().Equal(1.5f, -2f);
            t.ReadCpuSingle(1).Should().Be(-2f);
            ((double)one).Should().Be(3.0);
            Tensor.TotalCount.Should().Be(before, "helpers must release their intermediate tensors themselves, not leave them to the finalizer");
            t.Dispose();
            one.Dispose();
        }

        [Fact]
        public void DisposedScopeIsPoppedAndIdempotent()
        {
            var outerBefore = CurrentDisposeScope;
            var scope = NewDisposeScope();
            CurrentDisposeScope.Should().BeSameAs(scope);
            scope.Dispose();
            scope.IsDisposed.Should().BeTrue();
            CurrentDisposeScope.Should().BeSameAs(outerBefore);
            scope.Invoking(s => s.Dispose()).Should().NotThrow();
            Tensor.PeakCount.Should().BeGreaterOrEqualTo(Tensor.TotalCount);
        }
    }
}
