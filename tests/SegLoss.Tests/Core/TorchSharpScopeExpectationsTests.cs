using System.Runtime.InteropServices;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Core
{
    /// <summary>
    /// The dispose-scope behaviour of TorchSharp 0.107 that SegLoss's memory policy is written against. If a
    /// TorchSharp release changes one of these, the test says which assumption to revisit.
    /// </summary>
    [Collection(LiveTensorCollection.Name)]
    public class TorchSharpScopeExpectationsTests
    {
        [Fact]
        public void MoveToOuterKeepsExactlyTheMovedTensorAndDetachesAtTheOutermostScope()
        {
            long before = Tensor.TotalCount;
            Tensor kept;
            using (var outer = NewDisposeScope())
            {
                Tensor moved;
                using (var inner = NewDisposeScope())
                {
                    var temporary = ones(3) * 2;
                    moved = (temporary + 1).MoveToOuterDisposeScope();
                    inner.Contains(moved).Should().BeFalse();
                    outer.Contains(moved).Should().BeTrue();
                }
                Tensor.TotalCount.Should().Be(before + 1, "only the moved result outlives the inner scope");
                kept = moved.MoveToOuterDisposeScope();
                outer.Contains(kept).Should().BeFalse("moving out of the outermost scope detaches");
            }
            Tensor.TotalCount.Should().Be(before + 1);
            kept.Dispose();
            Tensor.TotalCount.Should().Be(before);
        }

        [Fact]
        public void MovingATensorIntoTheScopeThatOwnsItDropsItFromThatScope()
        {
            // The reason SharedActivations checks Contains before MoveToOtherDisposeScope: the scope forgets the
            // tensor, which then survives the scope and, once the scope is disposed, its finalizer throws.
            using var scope = NewDisposeScope();
            var t = ones(2);
            scope.Contains(t).Should().BeTrue();
            t.MoveToOtherDisposeScope(scope);
            scope.Contains(t).Should().BeFalse("TorchSharp 0.107 removes it and does not add it back");
            t.Dispose(); // while the scope is alive, so that no finalizer ever sees a disposed scope
        }

        [Fact]
        public void MovingATensorIntoAnotherScopeHandsItOver()
        {
            long before = Tensor.TotalCount;
            using (var target = NewDisposeScope())
            {
                Tensor t;
                using (var source = NewDisposeScope())
                {
                    t = ones(2);
                    t.MoveToOtherDisposeScope(target);
                    source.Contains(t).Should().BeFalse();
                    target.Contains(t).Should().BeTrue();
                }
                t.IsInvalid.Should().BeFalse();
            }
            Tensor.TotalCount.Should().Be(before);
        }

        [Fact]
        public void AFailedNativeOperationThrowsAndLeavesNoTensorBehind()
        {
            long before = Tensor.TotalCount;
            using (var scope = NewDisposeScope())
            {
                var a = zeros(2, 3);
                var b = zeros(4);
                a.Invoking(x => x + b).Should().Throw<ExternalException>();
                a.Invoking(x => x.sort(7)).Should().Throw<ExternalException>();
                scope.DisposablesCount.Should().Be(2);
            }
            Tensor.TotalCount.Should().Be(before);
        }
    }
}
