using System;
using System.Collections.Generic;
using System.Linq;

namespace TorchSharp
{
    /// <summary>
    /// Collects the tensors created on this thread while it is the innermost scope and disposes them when
    /// it is disposed, except those moved out (MoveToOuter, Detach) or disposed already.
    /// </summary>
    public sealed class DisposeScope : IDisposable
    {
        private readonly DisposeScopeManager _manager;
        internal readonly HashSet<IDisposable> Disposables = new HashSet<IDisposable>(ReferenceEqualityComparer.Instance);

        internal DisposeScope(DisposeScopeManager manager, DisposeScope? outer)
        {
            _manager = manager;
            OuterScope = outer;
        }

        /// <summary>The scope that was innermost when this one was created.</summary>
        public DisposeScope? OuterScope { get; }

        /// <summary>How many disposables the scope currently owns.</summary>
        public long DisposablesCount => Disposables.Count;

        /// <summary>True once the scope has been disposed.</summary>
        public bool IsDisposed { get; private set; }

        /// <summary>Moves a disposable to the enclosing scope (or detaches it when there is none).</summary>
        public T MoveToOuter<T>(T disposable) where T : IDisposable => MoveToOther(OuterScope, disposable);

        /// <summary>Moves several disposables to the enclosing scope.</summary>
        public void MoveToOuter(params IDisposable[] disposables)
        {
            foreach (var d in disposables) MoveToOther(OuterScope, d);
        }

        /// <summary>Moves a disposable to another scope (null detaches it).</summary>
        public T MoveToOther<T>(DisposeScope? scope, T disposable) where T : IDisposable
        {
            Detach(disposable);
            scope?.Attach(disposable);
            return disposable;
        }

        /// <summary>Removes a disposable from the scope: the caller owns it from now on.</summary>
        public T Detach<T>(T disposable) where T : IDisposable
        {
            if (Disposables.Remove(disposable) && disposable is torch.Tensor t) t.OwningDisposeScope = null;
            return disposable;
        }

        /// <summary>Removes several disposables from the scope.</summary>
        public void Detach(params IDisposable[] disposables)
        {
            foreach (var d in disposables) Detach(d);
        }

        /// <summary>Adds a disposable to this scope, taking it from the scope that owned it.</summary>
        public IDisposable Attach(IDisposable disposable)
        {
            if (disposable is torch.Tensor t)
            {
                if (ReferenceEquals(t.OwningDisposeScope, this)) return disposable;
                t.OwningDisposeScope?.Detach(t);
                t.OwningDisposeScope = this;
            }
            Disposables.Add(disposable);
            return disposable;
        }

        /// <summary>True when the scope owns the disposable.</summary>
        public bool Contains(IDisposable disposable) => Disposables.Contains(disposable);

        /// <summary>Disposes everything the scope owns but keeps the scope open.</summary>
        public void DisposeEverything() => DisposeEverythingBut(Array.Empty<IDisposable>());

        /// <summary>Disposes everything the scope owns except the given ones, keeping the scope open.</summary>
        public void DisposeEverythingBut(params IDisposable[] inclusions)
        {
            var keep = new HashSet<IDisposable>(inclusions, ReferenceEqualityComparer.Instance);
            foreach (var d in Disposables.ToArray())
            {
                if (keep.Contains(d)) continue;
                Disposables.Remove(d);
                if (d is torch.Tensor t) t.OwningDisposeScope = null;
                d.Dispose();
            }
        }

        /// <summary>Disposes everything the scope owns and removes the scope from the thread's stack.</summary>
        public void Dispose()
        {
            if (IsDisposed) return;
            DisposeEverything();
            IsDisposed = true;
            _manager.Remove(this);
        }
    }

    /// <summary>The per-thread stack of dispose scopes.</summary>
    public sealed class DisposeScopeManager
    {
        [ThreadStatic] private static DisposeScopeManager? _threadSingleton;
        private readonly List<DisposeScope> _scopes = new List<DisposeScope>();

        /// <summary>This thread's manager.</summary>
        public static DisposeScopeManager ThreadSingleton => _threadSingleton ??= new DisposeScopeManager();

        /// <summary>The innermost open scope, or null.</summary>
        public DisposeScope? CurrentDisposeScope => _scopes.Count == 0 ? null : _scopes[_scopes.Count - 1];

        internal DisposeScope NewDisposeScope()
        {
            var scope = new DisposeScope(this, CurrentDisposeScope);
            _scopes.Add(scope);
            return scope;
        }

        internal void Remove(DisposeScope scope)
        {
            int i = _scopes.LastIndexOf(scope);
            if (i >= 0) _scopes.RemoveAt(i);
        }

        internal static void RegisterOnCurrent(torch.Tensor tensor)
        {
            var manager = _threadSingleton;
            if (manager is null || manager._scopes.Count == 0) return;
            manager._scopes[manager._scopes.Count - 1].Attach(tensor);
        }
    }

    public static partial class torch
    {
        /// <summary>Opens a dispose scope on this thread; dispose it (with <c>using</c>) to free what was created in it.</summary>
        public static DisposeScope NewDisposeScope() => DisposeScopeManager.ThreadSingleton.NewDisposeScope();

        /// <summary>The innermost open scope on this thread, or null.</summary>
        public static DisposeScope? CurrentDisposeScope => DisposeScopeManager.ThreadSingleton.CurrentDisposeScope;

        /// <summary>Evaluates <paramref name="expr"/> in a new scope and moves only its result out.</summary>
        public static Tensor WrappedTensorDisposeScope(Func<Tensor> expr)
        {
            using var scope = NewDisposeScope();
            return expr().MoveToOuterDisposeScope();
        }
    }
}
