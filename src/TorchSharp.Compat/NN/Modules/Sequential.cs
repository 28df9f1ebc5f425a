using System;
using System.Collections.Generic;
using System.Globalization;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchSharp
{
    namespace Modules
    {
        /// <summary>
        /// A chain of modules applied in order. Submodules are registered under their given names, or "0", "1", ... by
        /// position, so parameters are named e.g. "0.weight". Disposing the container disposes the submodules.
        /// </summary>
        public sealed class Sequential : nn.Module<Tensor, Tensor>
        {
            private readonly List<nn.Module<Tensor, Tensor>> _layers = new List<nn.Module<Tensor, Tensor>>();
            private readonly HashSet<string> _names = new HashSet<string>(StringComparer.Ordinal);

            internal Sequential() : base(nameof(Sequential)) { }

            internal Sequential(IEnumerable<(string name, nn.Module<Tensor, Tensor> submodule)> modules) : this()
            {
                foreach (var (name, m) in modules) Add(name, m);
            }

            internal Sequential(IEnumerable<nn.Module<Tensor, Tensor>> modules) : this()
            {
                foreach (var m in modules) Add(_layers.Count.ToString(CultureInfo.InvariantCulture), m);
            }

            private void Add(string name, nn.Module<Tensor, Tensor> module)
            {
                if (module is null) throw new ArgumentNullException(nameof(module));
                if (string.IsNullOrEmpty(name)) throw new ArgumentException("submodule names must not be empty", nameof(name));
                if (name.Contains('.')) throw new ArgumentException($"submodule name '{name}' must not contain '.'", nameof(name));
                if (!_names.Add(name)) throw new ArgumentException($"Sequential already has a submodule named '{name}'", nameof(name));
                _layers.Add(module);
                register_module(name, module);
            }

            private static nn.Module<Tensor, Tensor> AsModule(nn.IModule<Tensor, Tensor> module) =>
                module as nn.Module<Tensor, Tensor> ?? throw new ArgumentException($"Sequential holds nn.Module<Tensor, Tensor> instances; got {module?.GetType().Name ?? "null"}", nameof(module));

            /// <summary>Appends a module under a name.</summary>
            public Sequential append(string name, nn.IModule<Tensor, Tensor> module)
            {
                Add(name, AsModule(module));
                return this;
            }

            /// <summary>Appends a module named by its position.</summary>
            public Sequential append(nn.IModule<Tensor, Tensor> module)
            {
                Add(_layers.Count.ToString(CultureInfo.InvariantCulture), AsModule(module));
                return this;
            }

            /// <summary>The number of submodules.</summary>
            public int Count => _layers.Count;

            /// <summary>The submodule at a position.</summary>
            public nn.Module<Tensor, Tensor> this[int index] => _layers[index];

            /// <summary>
            /// Applies the submodules in order. Intermediate results are disposed as soon as the next module has consumed them
            /// (never the caller's input, nor a tensor a module returned unchanged); autograd keeps what it needs.
            /// </summary>
            public override Tensor forward(Tensor tensor)
            {
                if (_layers.Count == 0) return nn.Identity().forward(tensor);
                var x = tensor;
                foreach (var layer in _layers)
                {
                    var y = layer.call(x);
                    if (!ReferenceEquals(x, tensor) && !ReferenceEquals(x, y)) x.Dispose();
                    x = y;
                }
                return x;
            }
        }
    }

    public static partial class torch
    {
        public static partial class nn
        {
            /// <summary>An empty chain (append modules later).</summary>
            public static Sequential Sequential() => new Sequential();

            /// <summary>A chain of modules named "0", "1", ...</summary>
            public static Sequential Sequential(params Module<Tensor, Tensor>[] modules) => new Sequential(modules);

            /// <summary>A chain of named modules.</summary>
            public static Sequential Sequential(params (string name, Module<Tensor, Tensor> submodule)[] modules) => new Sequential(modules);

            /// <summary>A chain of modules named "0", "1", ...</summary>
            public static Sequential Sequential(IEnumerable<Module<Tensor, Tensor>> modules) => new Sequential(modules);

            /// <summary>A chain of named modules.</summary>
            public static Sequential Sequential(IEnumerable<(string name, Module<Tensor, Tensor> submodule)> modules) => new Sequential(modules);
        }
    }
}
