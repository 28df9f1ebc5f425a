using System;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace TorchSharp
{
    namespace Modules
    {
        /// <summary>Base of the batch-normalisation layers: affine parameters and running statistics.</summary>
        public abstract class NormBase : nn.Module<Tensor, Tensor>
        {
            [ComponentName(Name = "weight")] private Parameter? _weight;
            [ComponentName(Name = "bias")] private Parameter? _bias;
            [ComponentName(Name = "running_mean")] private Tensor? _running_mean;
            [ComponentName(Name = "running_var")] private Tensor? _running_var;
            [ComponentName(Name = "num_batches_tracked")] private Tensor? _num_batches_tracked;

            internal NormBase(string name, long num_features, double eps, double? momentum, bool affine, bool track_running_stats, Device? device, ScalarType? dtype)
                : base(name)
            {
                if (num_features <= 0) throw new ArgumentException($"num_features must be positive, got {num_features}", nameof(num_features));
                this.num_features = num_features;
                this.eps = eps;
                this.momentum = momentum;
                this.affine = affine;
                this.track_running_stats = track_running_stats;
                var shape = new[] { num_features };
                if (affine)
                {
                    _weight = new Parameter(DefaultInit.Full(shape, 1.0, dtype, device));
                    _bias = new Parameter(DefaultInit.Full(shape, 0.0, dtype, device));
                }
                if (track_running_stats)
                {
                    _running_mean = DefaultInit.Full(shape, 0.0, dtype, device);
                    _running_var = DefaultInit.Full(shape, 1.0, dtype, device);
                    _num_batches_tracked = DefaultInit.Full(Array.Empty<long>(), 0, ScalarType.Int64, device);
                }
                RegisterComponents();
            }

            /// <summary>Number of channels (dimension 1 of the input).</summary>
            public long num_features { get; }
            /// <summary>Added to the variance for numerical stability.</summary>
            public double eps { get; set; }
            /// <summary>Weight of the current batch in the running statistics; null = cumulative average.</summary>
            public double? momentum { get; set; }
            /// <summary>Whether the layer has a learnable scale and shift.</summary>
            public bool affine { get; }
            /// <summary>Whether running statistics are kept (and used in evaluation mode).</summary>
            public bool track_running_stats { get; }

            /// <summary>The learnable scale, or null without <see cref="affine"/>.</summary>
            public Parameter? weight => _weight;
            /// <summary>The learnable shift, or null without <see cref="affine"/>.</summary>
            public Parameter? bias => _bias;
            /// <summary>Running mean per channel, or null.</summary>
            public Tensor? running_mean => _running_mean;
            /// <summary>Running (unbiased) variance per channel, or null.</summary>
            public Tensor? running_var => _running_var;
            /// <summary>Number of training batches seen (Int64 scalar), or null.</summary>
            public Tensor? num_batches_tracked => _num_batches_tracked;

            /// <summary>Resets the running statistics to mean 0, variance 1 and no batches.</summary>
            public void reset_running_stats()
            {
                using var _ = no_grad();
                _running_mean?.zero_();
                _running_var?.fill_(1);
                _num_batches_tracked?.zero_();
            }

            /// <summary>Resets the running statistics and the affine parameters (scale 1, shift 0).</summary>
            public void reset_parameters()
            {
                reset_running_stats();
                using var _ = no_grad();
                _weight?.fill_(1);
                _bias?.zero_();
            }

            /// <summary>Throws when the input's rank does not suit the layer.</summary>
            protected abstract void ValidateInputDimensions(Tensor input);
        }

        /// <summary>Batch normalisation: (x - mean) / sqrt(var + eps) * weight + bias per channel.</summary>
        public abstract class BatchNorm : NormBase
        {
            internal BatchNorm(string name, long num_features, double eps, double? momentum, bool affine, bool track_running_stats, Device? device, ScalarType? dtype)
                : base(name, num_features, eps, momentum, affine, track_running_stats, device, dtype)
            {
            }

            /// <summary>
            /// Normalises with the batch statistics in training mode (updating the running statistics) and with the running
            /// statistics in evaluation mode (when they are tracked).
            /// </summary>
            public override Tensor forward(Tensor input)
            {
                ValidateInputDimensions(input);
                double factor = momentum ?? 0.0;
                if (training && num_batches_tracked is not null)
                {
                    using (no_grad()) num_batches_tracked.add_(1);
                    if (momentum is null) factor = 1.0 / num_batches_tracked.ToDouble();
                }
                bool useBatchStats = training || (running_mean is null && running_var is null);
                bool passRunning = !training || track_running_stats;
                return nn.functional.batch_norm(input, passRunning ? running_mean : null, passRunning ? running_var : null, weight, bias, useBatchStats, factor, eps);
            }
        }

        /// <summary>Batch normalisation of (N, C) or (N, C, L).</summary>
        public sealed class BatchNorm1d : BatchNorm
        {
            internal BatchNorm1d(long num_features, double eps, double? momentum, bool affine, bool track_running_stats, Device? device, ScalarType? dtype)
                : base(nameof(BatchNorm1d), num_features, eps, momentum, affine, track_running_stats, device, dtype) { }

            /// <inheritdoc/>
            protected override void ValidateInputDimensions(Tensor input)
            {
                long d = input.dim();
                if (d != 2 && d != 3) throw new ArgumentException($"BatchNorm1d expects a 2-D or 3-D input, got {d}-D with shape [{string.Join(", ", input.shape)}]", nameof(input));
            }
        }

        /// <summary>Batch normalisation of (N, C, H, W).</summary>
        public sealed class BatchNorm2d : BatchNorm
        {
            internal BatchNorm2d(long num_features, double eps, double? momentum, bool affine, bool track_running_stats, Device? device, ScalarType? dtype)
                : base(nameof(BatchNorm2d), num_features, eps, momentum, affine, track_running_stats, device, dtype) { }

            /// <inheritdoc/>
            protected override void ValidateInputDimensions(Tensor input)
            {
                long d = input.dim();
                if (d != 4) throw new ArgumentException($"BatchNorm2d expects a 4-D input, got {d}-D with shape [{string.Join(", ", input.shape)}]", nameof(input));
            }
        }

        /// <summary>Batch normalisation of (N, C, D, H, W).</summary>
        public sealed class BatchNorm3d : BatchNorm
        {
            internal BatchNorm3d(long num_features, double eps, double? momentum, bool affine, bool track_running_stats, Device? device, ScalarType? dtype)
                : base(nameof(BatchNorm3d), num_features, eps, momentum, affine, track_running_stats, device, dtype) { }

            /// <inheritdoc/>
            protected override void ValidateInputDimensions(Tensor input)
            {
                long d = input.dim();
                if (d != 5) throw new ArgumentException($"BatchNorm3d expects a 5-D input, got {d}-D with shape [{string.Join(", ", input.shape)}]", nameof(input));
            }
        }
    }

    public static partial class torch
    {
        public static partial class nn
        {
            /// <summary>Batch normalisation over (N, C) or (N, C, L).</summary>
            public static BatchNorm1d BatchNorm1d(long num_features, double eps = 1e-05, double momentum = 0.1, bool affine = true, bool track_running_stats = true, Device? device = null, ScalarType? dtype = null) =>
                new BatchNorm1d(num_features, eps, momentum, affine, track_running_stats, device, dtype);

            /// <summary>Batch normalisation over (N, C, H, W).</summary>
            public static BatchNorm2d BatchNorm2d(long num_features, double eps = 1e-05, double momentum = 0.1, bool affine = true, bool track_running_stats = true, Device? device = null, ScalarType? dtype = null) =>
                new BatchNorm2d(num_features, eps, momentum, affine, track_running_stats, device, dtype);

            /// <summary>Batch normalisation over (N, C, D, H, W).</summary>
            public static BatchNorm3d BatchNorm3d(long num_features, double eps = 1e-05, double momentum = 0.1, bool affine = true, bool track_running_stats = true, Device? device = null, ScalarType? dtype = null) =>
                new BatchNorm3d(num_features, eps, momentum, affine, track_running_stats, device, dtype);
        }
    }
}
