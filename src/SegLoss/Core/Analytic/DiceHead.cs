using System;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// <see cref="IRegionHead"/> of <see cref="DiceLoss"/> and <see cref="JaccardLoss"/>: per entry the F-β score
    /// ((1 + β²)·TP + s_n)/(β²·G + P + s_d) or the Jaccard index (TP + s_n)/(P + G − TP + s_d) (an empty ratio with s_d = 0
    /// scores 1), the loss 1 − S or −ln(max(S, 1e-7)), then <see cref="ClassReduction.Reduce"/>'s selection, weights,
    /// <see cref="ClassMean"/> rule and Mean or Sum.
    /// </summary>
    internal sealed class DiceHead : IRegionHead
    {
        private const double LogClamp = 1e-7;

        private readonly double _beta2;
        private readonly bool _jaccard;
        private readonly bool _logLoss;
        private readonly double _smoothNumerator;
        private readonly double _smoothDenominator;
        private readonly bool _dropBackground;
        private readonly double[]? _weights;
        private readonly ClassMean _classMean;
        private readonly bool _sum;

        /// <param name="beta">F-β weight (1 for Dice; Jaccard needs 1).</param>
        /// <param name="jaccard">The Jaccard index instead of the F-β score.</param>
        /// <param name="logLoss">−ln S instead of 1 − S.</param>
        /// <param name="smoothNumerator">s_n.</param>
        /// <param name="smoothDenominator">s_d.</param>
        /// <param name="dropBackground">Leave channel 0 out (the loss's includeBackground rule already applied to the mode).</param>
        /// <param name="weights">Class weights (C) or null.</param>
        /// <param name="classMean">The mean rule.</param>
        /// <param name="reduction">Mean or Sum (None is not run as a head).</param>
        public DiceHead(double beta, bool jaccard, bool logLoss, double smoothNumerator, double smoothDenominator,
            bool dropBackground, double[]? weights, ClassMean classMean, nn.Reduction reduction)
        {
            if (reduction == nn.Reduction.None) throw new ArgumentException("a head returns one value", nameof(reduction));
            _beta2 = beta * beta;
            _jaccard = jaccard;
            _logLoss = logLoss;
            _smoothNumerator = smoothNumerator;
            _smoothDenominator = smoothDenominator;
            _dropBackground = dropBackground;
            _weights = weights;
            _classMean = classMean;
            _sum = reduction == nn.Reduction.Sum;
        }

        public double Evaluate(double[] tp, double[] p, double[] g, int rows, int classes, double[] dTp, double[] dP)
        {
            int first = _dropBackground && classes > 1 ? 1 : 0;
            double divisor;
            if (_sum) divisor = 1;
            else if (_weights is null || _classMean == ClassMean.EntryCount) divisor = (double)rows * (classes - first);
            else
            {
                double weightSum = 0;
                for (int c = first; c < classes; c++) weightSum += _weights[c];
                divisor = weightSum * rows;
            }
            double total = 0;
            Array.Clear(dTp);
            Array.Clear(dP);
            for (int r = 0; r < rows; r++)
                for (int c = first; c < classes; c++)
                {
                    int e = r * classes + c;
                    if (_classMean == ClassMean.AbsentAsZero && !(g[e] > 0)) continue;
                    double coefficient = (_weights?[c] ?? 1.0) / divisor;
                    var (loss, slope, dScoreDTp, dScoreDP) = Entry(tp[e], p[e], g[e]);
                    total += coefficient * loss;
                    dTp[e] = coefficient * slope * dScoreDTp;
                    dP[e] = coefficient * slope * dScoreDP;
                }
            return total;
        }

        /// <summary>The entry's loss, dℓ/dS, and dS/dTP, dS/dP.</summary>
        private (double Loss, double Slope, double DTp, double DP) Entry(double tp, double p, double g)
        {
            double numerator, denominator, dNumerator;
            if (_jaccard)
            {
                numerator = tp + _smoothNumerator;
                denominator = p + g - tp + _smoothDenominator;
                dNumerator = 1;
            }
            else
            {
                numerator = tp * (1 + _beta2) + _smoothNumerator;
                denominator = (_beta2 == 1.0 ? g : g * _beta2) + p + _smoothDenominator;
                dNumerator = 1 + _beta2;
            }
            double score, dTp, dP;
            if (_smoothDenominator == 0 && denominator == 0)
            {
                // RegionLoss.Ratio: 0/0 scores 1, with a zero gradient.
                score = 1;
                dTp = dP = 0;
            }
            else
            {
                score = numerator / denominator;
                double dDenominator = -numerator / (denominator * denominator);
                dTp = dNumerator / denominator + (_jaccard ? -dDenominator : 0);
                dP = dDenominator;
            }
            if (!_logLoss) return (1 - score, -1, dTp, dP);
            // −ln(clamp_min(S, 1e-7)): clamp_min passes the gradient where S ≥ 1e-7.
            return score >= LogClamp ? (-Math.Log(score), -1 / score, dTp, dP) : (-Math.Log(LogClamp), 0, dTp, dP);
        }
    }
}
