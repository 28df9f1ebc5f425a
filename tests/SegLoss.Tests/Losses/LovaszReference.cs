using System;
using System.Collections.Generic;
using System.Linq;

namespace SegLoss.Tests.Losses
{
    /// <summary>
    /// The Lovász extension of the Jaccard loss written from its definition, in plain doubles, as an oracle for the
    /// batched tensor implementation (no sort-and-cumsum shortcut, no tensors).
    /// </summary>
    internal static class LovaszReference
    {
        /// <summary>Δ_J(M) = 1 − |G∖M| / |G∪M| for ground truth G and mispredicted set M (0 when G∪M is empty).</summary>
        public static double JaccardLoss(IReadOnlyList<bool> truth, ISet<int> mispredicted)
        {
            int kept = 0, union = 0;
            for (int i = 0; i < truth.Count; i++)
            {
                bool inG = truth[i], inM = mispredicted.Contains(i);
                if (inG && !inM) kept++;
                if (inG || inM) union++;
            }
            return union == 0 ? 0.0 : 1.0 - (double)kept / union;
        }

        /// <summary>
        /// Σ_i m_π(i)·(Δ_J({π1..πi}) − Δ_J({π1..πi−1})) with π sorting the errors m in decreasing order.
        /// </summary>
        public static double Extension(IReadOnlyList<double> errors, IReadOnlyList<bool> truth)
        {
            var order = Enumerable.Range(0, errors.Count).OrderByDescending(i => errors[i]).ToArray();
            var set = new HashSet<int>();
            double previous = JaccardLoss(truth, set), total = 0;
            foreach (var i in order)
            {
                set.Add(i);
                double current = JaccardLoss(truth, set);
                total += errors[i] * (current - previous);
                previous = current;
            }
            return total;
        }

        /// <summary>
        /// Per (pool, class) extension values and presence, from per-entry errors, truth and validity indexed
        /// [n, c, s]. Pools are the images (perImage) or the whole batch (one pool); invalid entries are dropped.
        /// </summary>
        public static (double[,] loss, bool[,] present) Pools(double[,,] errors, bool[,,] truth, bool[,,] valid, bool perImage)
        {
            int n = errors.GetLength(0), c = errors.GetLength(1), s = errors.GetLength(2);
            int pools = perImage ? n : 1;
            var loss = new double[pools, c];
            var present = new bool[pools, c];
            for (int pool = 0; pool < pools; pool++)
            {
                for (int k = 0; k < c; k++)
                {
                    var m = new List<double>();
                    var g = new List<bool>();
                    for (int img = 0; img < n; img++)
                    {
                        if (perImage && img != pool) continue;
                        for (int x = 0; x < s; x++)
                        {
                            if (!valid[img, k, x]) continue;
                            m.Add(errors[img, k, x]);
                            g.Add(truth[img, k, x]);
                        }
                    }
                    loss[pool, k] = Extension(m, g);
                    present[pool, k] = g.Contains(true);
                }
            }
            return (loss, present);
        }

        /// <summary>
        /// Berman's mean: per pool, the mean over (present, when <paramref name="presentOnly"/>) classes (0 when none),
        /// then the mean over pools.
        /// </summary>
        public static double Mean(double[,] loss, bool[,] present, bool presentOnly)
        {
            int pools = loss.GetLength(0), c = loss.GetLength(1);
            double total = 0;
            for (int p = 0; p < pools; p++)
            {
                double sum = 0;
                int count = 0;
                for (int k = 0; k < c; k++)
                {
                    if (presentOnly && !present[p, k]) continue;
                    sum += loss[p, k];
                    count++;
                }
                total += count == 0 ? 0 : sum / count;
            }
            return total / pools;
        }

        /// <summary>Softmax over the class axis of logits indexed [n, c, s].</summary>
        public static double[,,] Softmax(double[,,] logits)
        {
            int n = logits.GetLength(0), c = logits.GetLength(1), s = logits.GetLength(2);
            var p = new double[n, c, s];
            for (int i = 0; i < n; i++)
            {
                for (int x = 0; x < s; x++)
                {
                    double max = double.NegativeInfinity, z = 0;
                    for (int k = 0; k < c; k++) max = Math.Max(max, logits[i, k, x]);
                    for (int k = 0; k < c; k++) z += Math.Exp(logits[i, k, x] - max);
                    for (int k = 0; k < c; k++) p[i, k, x] = Math.Exp(logits[i, k, x] - max) / z;
                }
            }
            return p;
        }

        /// <summary>Reshapes a flat row-major array into [n, c, s].</summary>
        public static T[,,] Cube<T>(T[] flat, int n, int c, int s)
        {
            var r = new T[n, c, s];
            for (int i = 0; i < n; i++)
                for (int k = 0; k < c; k++)
                    for (int x = 0; x < s; x++)
                        r[i, k, x] = flat[(i * c + k) * s + x];
            return r;
        }

        /// <summary>Applies f to every entry of a cube.</summary>
        public static TOut[,,] Map<TIn, TOut>(TIn[,,] cube, Func<int, int, int, TIn, TOut> f)
        {
            int n = cube.GetLength(0), c = cube.GetLength(1), s = cube.GetLength(2);
            var r = new TOut[n, c, s];
            for (int i = 0; i < n; i++)
                for (int k = 0; k < c; k++)
                    for (int x = 0; x < s; x++)
                        r[i, k, x] = f(i, k, x, cube[i, k, x]);
            return r;
        }
    }
}
