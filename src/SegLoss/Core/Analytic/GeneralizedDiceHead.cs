using System;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// <see cref="IRegionHead"/> of <see cref="GeneralizedDiceLoss"/> (<see cref="GeneralizedDiceRatio"/>): per row
    /// w_c = 1/G_c² (Square), 1/G_c (Simple) or 1 (Uniform), an infinite weight (an absent class) replaced by the row's
    /// largest finite one, S = (2·Σ w·TP + s_n)/(Σ w·(P + G) + s_d) (0/0 = 1 with s_d = 0), the loss 1 − S, then the mean or
    /// sum over rows. The weights come from the target and carry no gradient.
    /// </summary>
    internal sealed class GeneralizedDiceHead : IRegionHead
    {
        private readonly GeneralizedDiceWeighting _weighting;
        private readonly double _smoothNumerator;
        private readonly double _smoothDenominator;
        private readonly bool _dropBackground;
        private readonly bool _sum;

        public GeneralizedDiceHead(GeneralizedDiceWeighting weighting, double smoothNumerator, double smoothDenominator, bool dropBackground, nn.Reduction reduction)
        {
            if (reduction == nn.Reduction.None) throw new ArgumentException("a head returns one value", nameof(reduction));
            _weighting = weighting;
            _smoothNumerator = smoothNumerator;
            _smoothDenominator = smoothDenominator;
            _dropBackground = dropBackground;
            _sum = reduction == nn.Reduction.Sum;
        }

        public double Evaluate(double[] tp, double[] p, double[] g, int rows, int classes, double[] dTp, double[] dP)
        {
            int first = _dropBackground && classes > 1 ? 1 : 0;
            var w = new double[classes];
            double total = 0;
            double scale = _sum ? 1.0 : 1.0 / rows;
            Array.Clear(dTp);
            Array.Clear(dP);
            for (int r = 0; r < rows; r++)
            {
                int row = r * classes;
                double largest = 0;
                for (int c = first; c < classes; c++)
                {
                    double v = g[row + c];
                    w[c] = _weighting switch
                    {
                        GeneralizedDiceWeighting.Uniform => 1.0,
                        GeneralizedDiceWeighting.Square => 1.0 / (v * v),
                        _ => 1.0 / v,
                    };
                    if (!double.IsInfinity(w[c])) largest = Math.Max(largest, w[c]);
                }
                double numerator = 0, denominator = 0;
                for (int c = first; c < classes; c++)
                {
                    if (double.IsInfinity(w[c])) w[c] = largest;
                    numerator += w[c] * tp[row + c];
                    denominator += w[c] * (p[row + c] + g[row + c]);
                }
                numerator = numerator * 2.0 + _smoothNumerator;
                denominator += _smoothDenominator;
                if (_smoothDenominator == 0 && denominator == 0)
                {
                    continue;   // RegionLoss.Ratio: 0/0 scores 1, the row's loss is 0 with a zero gradient.
                }
                total += scale * (1 - numerator / denominator);
                for (int c = first; c < classes; c++)
                {
                    dTp[row + c] = -scale * 2.0 * w[c] / denominator;
                    dP[row + c] = scale * numerator * w[c] / (denominator * denominator);
                }
            }
            return total;
        }
    }
}
