using static TorchSharp.torch;

namespace TorchSharp
{
    /// <summary>Base of losses with two inputs: carries the reduction.</summary>
    public abstract class Loss<T1, T2, TResult> : nn.Module<T1, T2, TResult>
    {
        /// <summary>Creates a loss with a reduction.</summary>
        public Loss(nn.Reduction reduction = nn.Reduction.Mean) : base(nameof(Loss<T1, T2, TResult>)) => this.reduction = reduction;

        /// <summary>How per-element values are reduced.</summary>
        public nn.Reduction reduction { get; }
    }

    /// <summary>Base of losses with three inputs.</summary>
    public abstract class Loss<T1, T2, T3, TResult> : nn.Module<T1, T2, T3, TResult>
    {
        /// <summary>Creates a loss with a reduction.</summary>
        public Loss(nn.Reduction reduction = nn.Reduction.Mean) : base(nameof(Loss<T1, T2, T3, TResult>)) => this.reduction = reduction;

        /// <summary>How per-element values are reduced.</summary>
        public nn.Reduction reduction { get; }
    }

    /// <summary>Base of losses with four inputs.</summary>
    public abstract class Loss<T1, T2, T3, T4, TResult> : nn.Module<T1, T2, T3, T4, TResult>
    {
        /// <summary>Creates a loss with a reduction.</summary>
        public Loss(nn.Reduction reduction = nn.Reduction.Mean) : base(nameof(Loss<T1, T2, T3, T4, TResult>)) => this.reduction = reduction;

        /// <summary>How per-element values are reduced.</summary>
        public nn.Reduction reduction { get; }
    }

    /// <summary>Base of losses with an optional class-weight tensor.</summary>
    public abstract class WeightedLoss<T1, T2, TResult> : Loss<T1, T2, TResult>
    {
        /// <summary>Creates a loss with weights and a reduction.</summary>
        public WeightedLoss(Tensor? weight = null, nn.Reduction reduction = nn.Reduction.Mean) : base(reduction) => this.weight = weight;

        /// <summary>The class weights, or null.</summary>
        public Tensor? weight { get; }
    }

    /// <summary>Base of three-input losses with an optional weight tensor.</summary>
    public abstract class WeightedLoss<T1, T2, T3, TResult> : Loss<T1, T2, T3, TResult>
    {
        /// <summary>Creates a loss with weights and a reduction.</summary>
        public WeightedLoss(Tensor? weight = null, nn.Reduction reduction = nn.Reduction.Mean) : base(reduction) => this.weight = weight;

        /// <summary>The class weights, or null.</summary>
        public Tensor? weight { get; }
    }
}
