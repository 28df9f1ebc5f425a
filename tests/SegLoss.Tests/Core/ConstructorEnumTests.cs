using System;
using System.Collections.Generic;
using System.Linq;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Core
{
    /// <summary>
    /// No loss option may be an undefined enum value: a cast such as (nn.Reduction)9 used to be accepted by some
    /// losses and silently computed the mean. Driven by reflection over every public loss constructor.
    /// </summary>
    public class ConstructorEnumTests
    {
        /// <summary>(loss, constructor index, enum parameter) for every enum parameter of every public constructor.</summary>
        public static TheoryData<string, int, string> EnumParameters()
        {
            var data = new TheoryData<string, int, string>();
            foreach (var (loss, ctor, parameter) in Pairs()) data.Add(loss, ctor, parameter);
            return data;
        }

        private static IEnumerable<(string loss, int ctor, string parameter)> Pairs() =>
            from type in LossConstructors.LossTypes
            from c in LossConstructors.Of(type).Select((ctor, index) => (ctor, index))
            from p in c.ctor.GetParameters()
            where LossConstructors.EnumType(p) is not null
            select (type.Name, c.index, p.Name!);

        [Theory]
        [MemberData(nameof(EnumParameters))]
        public void An_undefined_enum_value_is_rejected_with_the_parameter_the_defined_values_and_the_given_one(string loss, int ctor, string parameter)
        {
            var constructor = LossConstructors.Of(LossConstructors.Named(loss))[ctor];
            var enumType = LossConstructors.EnumType(constructor.GetParameters().Single(p => p.Name == parameter))!;
            var value = LossConstructors.Undefined(enumType);
            var args = new Dictionary<string, object?> { [parameter] = value };

            var e = FluentActions.Invoking(() => LossConstructors.Invoke(constructor, args)).Should().Throw<ArgumentException>().Which;

            e.ParamName.Should().Be(parameter);
            foreach (var name in Enum.GetNames(enumType)) e.Message.Should().Contain(name, "the message lists the defined values");
            e.Message.Should().Contain($"got {value}");
        }

        [Fact]
        public void The_sweep_reaches_every_loss_and_the_enum_options_known_today()
        {
            var pairs = Pairs().Select(p => (p.loss, p.parameter)).ToHashSet();
            LossConstructors.LossTypes.Should().Contain(new[] { typeof(DiceLoss), typeof(CrossEntropyLoss), typeof(PixelWeightedCrossEntropyLoss), typeof(WeightedSumLoss) });
            // WeightedSumLoss takes terms only and TorchLoss a TorchSharp loss (whose reduction it reads); every other
            // loss has a mode and a reduction.
            foreach (var type in LossConstructors.LossTypes.Where(t => t != typeof(WeightedSumLoss) && t != typeof(TorchLoss)))
                pairs.Should().Contain(new[] { (type.Name, "mode"), (type.Name, "reduction") });
            pairs.Should().Contain(new[]
            {
                (nameof(GeneralizedDiceLoss), "weighting"),
                (nameof(LovaszSoftmaxLoss), "classes"),
                (nameof(PixelWeightedCrossEntropyLoss), "normalization"),
            });
        }

        [Fact]
        public void The_message_lists_the_members_in_declaration_order()
        {
            FluentActions.Invoking(() => new DiceLoss(reduction: (nn.Reduction)9)).Should().Throw<ArgumentException>()
                .WithParameterName("reduction").WithMessage("reduction must be None, Mean or Sum, got 9*");
            FluentActions.Invoking(() => new LovaszSoftmaxLoss(classes: (LovaszClasses)5)).Should().Throw<ArgumentException>()
                .WithParameterName("classes").WithMessage("classes must be Present or All, got 5*");
        }
    }
}
