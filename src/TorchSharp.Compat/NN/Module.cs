using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using TorchSharp.Modules;

namespace TorchSharp
{
    public static partial class torch
    {
        public static partial class nn
        {
            /// <summary>How a loss reduces its per-element values.</summary>
            public enum Reduction : long
            {
                /// <summary>No reduction.</summary>
                None = 0,
                /// <summary>The mean.</summary>
                Mean = 1,
                /// <summary>The sum.</summary>
                Sum = 2,
            }

            /// <summary>
            /// Base of all modules: owns parameters, buffers and submodules, registered by name
            /// (explicitly or through <see cref="RegisterComponents"/>), and disposes them with itself.
            /// </summary>
            public class Module : IDisposable
            {
                private readonly Dictionary<string, Parameter> _parameters = new Dictionary<string, Parameter>();
                private readonly Dictionary<string, (Tensor tensor, bool persistent)> _buffers = new Dictionary<string, (Tensor, bool)>();
                private readonly Dictionary<string, Module> _modules = new Dictionary<string, Module>();
                private readonly string _name;
                private bool _registered;
                private bool _disposed;

                /// <summary>Creates a module with a type name (as TorchSharp, the name is required).</summary>
                protected Module(string name) => _name = name;

                /// <summary>The module's type name.</summary>
                public string GetName() => _name;

                /// <summary>Whether the module is in training mode.</summary>
                public virtual bool training { get; private set; } = true;

                /// <summary>
                /// Registers every instance field holding a Module (submodule), a Parameter (parameter) or another
                /// Tensor (buffer) under the field's name. Idempotent.
                /// </summary>
                protected virtual void RegisterComponents()
                {
                    if (_registered) return;
                    _registered = true;
                    for (var type = GetType(); type is not null && type != typeof(Module); type = type.BaseType)
                    {
                        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                        {
                            if (field.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute)) && !field.Name.Contains("k__BackingField")) continue;
                            string name = ComponentName(field);
                            switch (field.GetValue(this))
                            {
                                case Module m when !_modules.ContainsKey(name): register_module(name, m); break;
                                case Parameter p when !_parameters.ContainsKey(name): register_parameter(name, p); break;
                                case Tensor t when !_buffers.ContainsKey(name) && !_parameters.ContainsKey(name): register_buffer(name, t); break;
                            }
                        }
                    }
                }

                private static string ComponentName(FieldInfo field)
                {
                    var attr = field.GetCustomAttribute<Utils.ComponentNameAttribute>();
                    if (attr is not null) return attr.Name;
                    string n = field.Name;
                    // Auto-property backing fields are named <Name>k__BackingField.
                    if (n.StartsWith("<", StringComparison.Ordinal) && n.Contains(">k__BackingField")) n = n.Substring(1, n.IndexOf('>') - 1);
                    return n;
                }

                /// <summary>Registers a buffer: a tensor that moves with the module but is not trained.</summary>
                public virtual void register_buffer(string name, Tensor tensor, bool persistent = true)
                {
                    if (string.IsNullOrEmpty(name)) throw new ArgumentException("buffer name must not be empty", nameof(name));
                    _buffers[name] = (tensor ?? throw new ArgumentNullException(nameof(tensor)), persistent);
                }

                /// <summary>Registers a parameter (null removes it).</summary>
                public virtual void register_parameter(string name, Parameter param)
                {
                    if (string.IsNullOrEmpty(name)) throw new ArgumentException("parameter name must not be empty", nameof(name));
                    if (param is null) _parameters.Remove(name);
                    else _parameters[name] = param;
                }

                /// <summary>Registers a submodule.</summary>
                public virtual void register_module(string name, Module submodule)
                {
                    if (string.IsNullOrEmpty(name)) throw new ArgumentException("module name must not be empty", nameof(name));
                    _modules[name] = submodule ?? throw new ArgumentNullException(nameof(submodule));
                }

                /// <summary>Registers a submodule.</summary>
                public virtual void add_module(string name, Module module) => register_module(name, module);

                /// <summary>Parameters of this module and (when recursing) of its submodules.</summary>
                public virtual IEnumerable<Parameter> parameters(bool recurse = true) => named_parameters(recurse).Select(p => p.parameter);

                /// <summary>Named parameters, with dotted names for submodules.</summary>
                public virtual IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true)
                {
                    foreach (var kv in _parameters) yield return (kv.Key, kv.Value);
                    if (!recurse) yield break;
                    foreach (var (childName, child) in named_children())
                        foreach (var (n, p) in child.named_parameters(true)) yield return (childName + "." + n, p);
                }

                /// <summary>Buffers of this module and (when recursing) of its submodules.</summary>
                public virtual IEnumerable<Tensor> buffers(bool recurse = true, bool include_nonpersistent = true) =>
                    named_buffers(recurse, include_nonpersistent).Select(b => b.buffer);

                /// <summary>Named buffers, with dotted names for submodules.</summary>
                public virtual IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true, bool include_nonpersistent = true)
                {
                    foreach (var kv in _buffers)
                        if (include_nonpersistent || kv.Value.persistent) yield return (kv.Key, kv.Value.tensor);
                    if (!recurse) yield break;
                    foreach (var (childName, child) in named_children())
                        foreach (var (n, b) in child.named_buffers(true, include_nonpersistent)) yield return (childName + "." + n, b);
                }

                /// <summary>The direct submodules with their names.</summary>
                public virtual IEnumerable<(string name, Module module)> named_children() => _modules.Select(kv => (kv.Key, kv.Value));

                /// <summary>The direct submodules.</summary>
                public virtual IEnumerable<Module> children() => _modules.Values;

                /// <summary>All submodules, recursively, with dotted names (this module excluded).</summary>
                public virtual IEnumerable<(string name, Module module)> named_modules()
                {
                    foreach (var (name, child) in named_children())
                    {
                        yield return (name, child);
                        foreach (var (n, m) in child.named_modules()) yield return (name + "." + n, m);
                    }
                }

                /// <summary>All submodules, recursively.</summary>
                public virtual IEnumerable<Module> modules() => named_modules().Select(m => m.module);

                /// <summary>A registered buffer by dotted name, or null.</summary>
                public Tensor? get_buffer(string target) => named_buffers().Where(b => b.name == target).Select(b => b.buffer).FirstOrDefault();

                /// <summary>A registered parameter by dotted name, or null.</summary>
                public Parameter? get_parameter(string target) => named_parameters().Where(p => p.name == target).Select(p => p.parameter).FirstOrDefault();

                /// <summary>Sets training mode on this module and its submodules.</summary>
                public virtual void train(bool train = true)
                {
                    training = train;
                    foreach (var m in children()) m.train(train);
                }

                /// <summary>Sets evaluation mode.</summary>
                public virtual void eval() => train(false);

                /// <summary>Clears the gradients of every parameter (to none, or to zero).</summary>
                public virtual void zero_grad(bool set_to_none = true)
                {
                    foreach (var p in parameters())
                    {
                        if (set_to_none) { p.grad = null; continue; }
                        using var g = p.grad;
                        g?.zero_();
                    }
                }

                /// <summary>Applies a function to every submodule and then this module.</summary>
                public virtual Module apply(Action<Module> fn)
                {
                    foreach (var m in children()) m.apply(fn);
                    fn(this);
                    return this;
                }

                /// <summary>Parameters and persistent buffers by dotted name (the tensors themselves, not copies).</summary>
                public virtual Dictionary<string, Tensor> state_dict(Dictionary<string, Tensor>? destination = null, string? prefix = null)
                {
                    destination ??= new Dictionary<string, Tensor>();
                    foreach (var (n, p) in named_parameters()) destination[(prefix ?? "") + n] = p;
                    foreach (var (n, b) in named_buffers(true, false)) destination[(prefix ?? "") + n] = b;
                    return destination;
                }

                /// <summary>Copies values into parameters and buffers by name.</summary>
                public virtual (IList<string> missing_keys, IList<string> unexpected_keys) load_state_dict(Dictionary<string, Tensor> source, bool strict = true, IList<string>? skip = null)
                {
                    var own = state_dict();
                    var missing = own.Keys.Where(k => !source.ContainsKey(k) && (skip is null || !skip.Contains(k))).ToList();
                    var unexpected = source.Keys.Where(k => !own.ContainsKey(k)).ToList();
                    if (strict && (missing.Count > 0 || unexpected.Count > 0))
                        throw new InvalidOperationException($"state dict mismatch: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]");
                    using (no_grad())
                        foreach (var (k, t) in own)
                            if (source.TryGetValue(k, out var v) && (skip is null || !skip.Contains(k))) t.copy_(v);
                    return (missing, unexpected);
                }

                /// <summary>
                /// Replaces every parameter and buffer by a converted copy (dtype applies to floating-point tensors only)
                /// and rewrites the fields that referenced the old tensors.
                /// </summary>
                protected internal virtual Module _to(Device? device, ScalarType? dtype, bool non_blocking = false)
                {
                    foreach (var m in children()) m._to(device, dtype, non_blocking);
                    var replaced = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
                    foreach (var name in _parameters.Keys.ToList())
                    {
                        var old = _parameters[name];
                        var converted = Convert(old, device, dtype, non_blocking);
                        if (converted is null) continue;
                        bool rg = old.requires_grad;
                        Parameter p;
                        using (no_grad()) p = new Parameter(converted.DetachFromDisposeScope(), rg);
                        _parameters[name] = p;
                        replaced[old] = p;
                    }
                    foreach (var name in _buffers.Keys.ToList())
                    {
                        var (old, persistent) = _buffers[name];
                        var converted = Convert(old, device, dtype, non_blocking);
                        if (converted is null) continue;
                        _buffers[name] = (converted.DetachFromDisposeScope(), persistent);
                        replaced[old] = converted;
                    }
                    if (replaced.Count == 0) return this;
                    RewriteFields(replaced);
                    foreach (var old in replaced.Keys) old.Dispose();
                    return this;
                }

                private static Tensor? Convert(Tensor t, Device? device, ScalarType? dtype, bool non_blocking)
                {
                    var targetType = dtype.HasValue && t.is_floating_point() ? dtype : null;
                    bool sameDevice = device is null || (t.device_type == device.type && (device.index < 0 || t.device_index == device.index));
                    if (sameDevice && (targetType is null || targetType == t.dtype)) return null;
                    // Under no_grad the copy has no history; it is the only new tensor (nothing to dispose).
                    using (no_grad()) return t.To(targetType, device, false, non_blocking);
                }

                private void RewriteFields(Dictionary<Tensor, Tensor> replaced)
                {
                    for (var type = GetType(); type is not null && type != typeof(Module); type = type.BaseType)
                    {
                        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                        {
                            if (field.GetValue(this) is Tensor t && replaced.TryGetValue(t, out var replacement) && field.FieldType.IsInstanceOfType(replacement))
                                field.SetValue(this, replacement);
                        }
                    }
                }

                /// <summary>Disposes the module's parameters, buffers and submodules.</summary>
                public void Dispose()
                {
                    Dispose(true);
                    GC.SuppressFinalize(this);
                }

                /// <summary>Disposes the module's parameters, buffers and submodules.</summary>
                protected virtual void Dispose(bool disposing)
                {
                    if (!disposing || _disposed) return;
                    _disposed = true;
                    foreach (var m in _modules.Values) m.Dispose();
                    foreach (var p in _parameters.Values) p.Dispose();
                    foreach (var (t, _) in _buffers.Values) t.Dispose();
                    _modules.Clear();
                    _parameters.Clear();
                    _buffers.Clear();
                }
            }

            /// <summary>A module with one input.</summary>
            public abstract class Module<T, TResult> : Module, IModule<T, TResult>
            {
                private readonly List<Func<Module<T, TResult>, T, T?>> _preHooks = new();
                private readonly List<Func<Module<T, TResult>, T, TResult, TResult?>> _postHooks = new();

                /// <summary>Creates a module with a type name.</summary>
                protected Module(string name) : base(name) { }

                /// <summary>The computation; call <see cref="call"/> from outside so hooks run.</summary>
                public abstract TResult forward(T input);

                /// <summary>Runs pre-hooks, <see cref="forward"/> and post-hooks.</summary>
                public TResult call(T input)
                {
                    foreach (var h in _preHooks) { var r = h(this, input); if (r is not null) input = r; }
                    var result = forward(input);
                    foreach (var h in _postHooks) { var r = h(this, input, result); if (r is not null) result = r; }
                    return result;
                }

                /// <summary>Adds a hook run before forward; a non-null result replaces the input.</summary>
                public HookHandle register_forward_pre_hook(Func<Module<T, TResult>, T, T?> hook) { _preHooks.Add(hook); return new HookHandle(() => _preHooks.Remove(hook)); }

                /// <summary>Adds a hook run after forward; a non-null result replaces the output.</summary>
                public HookHandle register_forward_hook(Func<Module<T, TResult>, T, TResult, TResult?> hook) { _postHooks.Add(hook); return new HookHandle(() => _postHooks.Remove(hook)); }
            }

            /// <summary>A module with two inputs.</summary>
            public abstract class Module<T1, T2, TResult> : Module, IModule<T1, T2, TResult>
            {
                /// <summary>Creates a module with a type name.</summary>
                protected Module(string name) : base(name) { }

                /// <summary>The computation.</summary>
                public abstract TResult forward(T1 input1, T2 input2);

                /// <summary>Runs <see cref="forward"/>.</summary>
                public TResult call(T1 input1, T2 input2) => forward(input1, input2);
            }

            /// <summary>A module with three inputs.</summary>
            public abstract class Module<T1, T2, T3, TResult> : Module, IModule<T1, T2, T3, TResult>
            {
                /// <summary>Creates a module with a type name.</summary>
                protected Module(string name) : base(name) { }

                /// <summary>The computation.</summary>
                public abstract TResult forward(T1 input1, T2 input2, T3 input3);

                /// <summary>Runs <see cref="forward"/>.</summary>
                public TResult call(T1 input1, T2 input2, T3 input3) => forward(input1, input2, input3);
            }

            /// <summary>A module with four inputs.</summary>
            public abstract class Module<T1, T2, T3, T4, TResult> : Module
            {
                /// <summary>Creates a module with a type name.</summary>
                protected Module(string name) : base(name) { }

                /// <summary>The computation.</summary>
                public abstract TResult forward(T1 input1, T2 input2, T3 input3, T4 input4);

                /// <summary>Runs <see cref="forward"/>.</summary>
                public TResult call(T1 input1, T2 input2, T3 input3, T4 input4) => forward(input1, input2, input3, input4);
            }

            /// <summary>A callable with one input.</summary>
            public interface IModule<T, TResult>
            {
                /// <summary>Runs the module.</summary>
                TResult call(T input1);
            }

            /// <summary>A callable with two inputs.</summary>
            public interface IModule<T1, T2, TResult>
            {
                /// <summary>Runs the module.</summary>
                TResult call(T1 input1, T2 input2);
            }

            /// <summary>A callable with three inputs.</summary>
            public interface IModule<T1, T2, T3, TResult>
            {
                /// <summary>Runs the module.</summary>
                TResult call(T1 input1, T2 input2, T3 input3);
            }

            /// <summary>Removes a hook when disposed.</summary>
            public sealed class HookHandle : IDisposable
            {
                private readonly Action _remove;
                internal HookHandle(Action remove) => _remove = remove;

                /// <summary>Removes the hook.</summary>
                public void remove() => _remove();

                /// <summary>Removes the hook.</summary>
                public void Dispose() => _remove();
            }

            /// <summary>Wraps a tensor as a trainable parameter (steals its handle).</summary>
            public static Parameter Parameter(Tensor data, bool requires_grad = true) => new Parameter(data, requires_grad);
        }
    }

    namespace Utils
    {
        /// <summary>Overrides the name under which RegisterComponents registers a field.</summary>
        [AttributeUsage(AttributeTargets.Field)]
        public sealed class ComponentNameAttribute : Attribute
        {
            /// <summary>The registered name.</summary>
            public string Name { get; set; } = "";
        }
    }
}
