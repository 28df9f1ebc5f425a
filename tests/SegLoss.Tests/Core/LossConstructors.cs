using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace SegLoss.Tests.Core
{
    /// <summary>
    /// Reflection over the public loss constructors, so that constructor-argument tests cover every loss (and every
    /// loss added later) without a hand-kept list.
    /// </summary>
    internal static class LossConstructors
    {
        /// <summary>
        /// Every public sealed SegmentationLoss, plus PixelWeightedCrossEntropyLoss, which takes a third input and so
        /// derives from TorchSharp's Loss directly.
        /// </summary>
        public static IReadOnlyList<Type> LossTypes { get; } = typeof(SegmentationLoss).Assembly.GetExportedTypes()
            .Where(t => t.IsSealed && typeof(SegmentationLoss).IsAssignableFrom(t))
            .Append(typeof(PixelWeightedCrossEntropyLoss))
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToArray();

        /// <summary>The public constructors of a loss, in a stable order (their index names them in theory data).</summary>
        public static ConstructorInfo[] Of(Type loss) => loss.GetConstructors().OrderBy(c => c.ToString(), StringComparer.Ordinal).ToArray();

        /// <summary>The loss type named <paramref name="name"/> (a simple name, as theory data carries it).</summary>
        public static Type Named(string name) => LossTypes.Single(t => t.Name == name);

        /// <summary>The enum type of a parameter (also through Nullable), or null.</summary>
        public static Type? EnumType(ParameterInfo p)
        {
            var type = Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType;
            return type.IsEnum ? type : null;
        }

        /// <summary>A value of <paramref name="enumType"/> that names no member, such as (nn.Reduction)42.</summary>
        public static object Undefined(Type enumType)
        {
            for (long v = 42; ; v++)
            {
                var value = Enum.ToObject(enumType, v);
                if (!Enum.IsDefined(enumType, value)) return value;
            }
        }

        /// <summary>Whether every parameter has a default, so that the constructor can run with none given.</summary>
        public static bool AllOptional(ConstructorInfo ctor) => ctor.GetParameters().All(p => p.HasDefaultValue);

        /// <summary>
        /// Calls <paramref name="ctor"/> with the given arguments by name and defaults for the rest; the constructor's
        /// own exception comes out unwrapped.
        /// </summary>
        public static object Invoke(ConstructorInfo ctor, IReadOnlyDictionary<string, object?> args)
        {
            var values = ctor.GetParameters()
                .Select(p => args.TryGetValue(p.Name!, out var v) ? v : p.HasDefaultValue ? Type.Missing
                    : throw new ArgumentException($"{ctor.DeclaringType!.Name}({p.Name}) has no default; give it", nameof(args)))
                .ToArray();
            foreach (var name in args.Keys)
                if (ctor.GetParameters().All(p => p.Name != name))
                    throw new ArgumentException($"{ctor.DeclaringType!.Name} has no parameter {name}", nameof(args));
            return ctor.Invoke(BindingFlags.DoNotWrapExceptions, null, values, null);
        }
    }
}
