using System;
using System.Linq;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    /// <summary>
    /// An independent dense reference of Yeung et al.'s two asymmetric terms, written with plain loops over
    /// probabilities p[n, c, s] and targets g[n, c, s] (one-hot or soft), channel 0 the background, and a pixel mask.
    /// </summary>
    internal static class AsymmetricReference
    {
        /// <summary>(N, C, S) arrays of a tensor shaped (N, C, *spatial).</summary>
        public static double[,,] Dense(Tensor t)
        {
            long n = t.shape[0], c = t.shape[1], s = t.numel() / (n * c);
            var flat = t.detach().to(ScalarType.Float64).contiguous().reshape(-1).data<double>().ToArray();
            var r = new double[n, c, s];
            for (long i = 0; i < n; i++)
                for (long k = 0; k < c; k++)
                    for (long j = 0; j < s; j++) r[i, k, j] = flat[(i * c + k) * s + j];
            return r;
        }

        /// <summary>One-hot (N, C, S) of labels (N, *spatial); ignored pixels get an all-zero row and valid 0.</summary>
        public static (double[,,] g, double[,] valid) OneHot(Tensor labels, long classes, long? ignore)
        {
            long n = labels.shape[0], s = labels.numel() / n;
            var flat = labels.reshape(-1).data<long>().ToArray();
            var g = new double[n, classes, s];
            var valid = new double[n, s];
            for (long i = 0; i < n; i++)
                for (long j = 0; j < s; j++)
                {
                    long y = flat[i * s + j];
                    if (ignore.HasValue && y == ignore.Value) continue;
                    valid[i, j] = 1;
                    g[i, y, j] = 1;
                }
            return (g, valid);
        }

        /// <summary>All-valid mask.</summary>
        public static double[,] AllValid(long n, long s)
        {
            var v = new double[n, s];
            for (long i = 0; i < n; i++) for (long j = 0; j < s; j++) v[i, j] = 1;
            return v;
        }

        /// <summary>Mean over valid pixels of (1 − δ)(1 − p_0)^γ(−g_0 ln p_0) + δ Σ_{c≥1} −g_c ln p_c.</summary>
        public static double Focal(double[,,] p, double[,,] g, double[,] valid, double delta, double gamma)
        {
            int n = p.GetLength(0), c = p.GetLength(1), s = p.GetLength(2);
            double sum = 0, count = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < s; j++)
                {
                    if (valid[i, j] == 0) continue;
                    count++;
                    double l = (1 - delta) * Math.Pow(1 - p[i, 0, j], gamma) * -g[i, 0, j] * Math.Log(p[i, 0, j]);
                    for (int k = 1; k < c; k++) l += delta * -g[i, k, j] * Math.Log(p[i, k, j]);
                    sum += l;
                }
            return count == 0 ? 0 : sum / count;
        }

        /// <summary>Per (image, class) 1 − TI_0 and (1 − TI_c)^(1 − γ), with Σ p·g, Σ (1 − p)·g, Σ p·(1 − g) over valid pixels.</summary>
        public static double[,] Tversky(double[,,] p, double[,,] g, double[,] valid, double delta, double gamma, double smooth)
        {
            int n = p.GetLength(0), c = p.GetLength(1), s = p.GetLength(2);
            var r = new double[n, c];
            for (int i = 0; i < n; i++)
                for (int k = 0; k < c; k++)
                {
                    double tp = 0, fn = 0, fp = 0;
                    for (int j = 0; j < s; j++)
                    {
                        if (valid[i, j] == 0) continue;
                        tp += p[i, k, j] * g[i, k, j];
                        fn += (1 - p[i, k, j]) * g[i, k, j];
                        fp += p[i, k, j] * (1 - g[i, k, j]);
                    }
                    double ti = (tp + smooth) / (tp + delta * fn + (1 - delta) * fp + smooth);
                    r[i, k] = k == 0 ? 1 - ti : Math.Pow(Math.Max(1 - ti, 1e-7), 1 - gamma);
                }
            return r;
        }

        public static double Mean(double[,] values) => values.Cast<double>().Average();

        /// <summary>The two-channel probabilities [1 − σ(z), σ(z)] and targets [1 − t, t] of a Binary case (N, 1, S).</summary>
        public static (double[,,] p, double[,,] g) TwoChannels(double[,,] z, double[,,] t, bool fromLogits)
        {
            int n = z.GetLength(0), s = z.GetLength(2);
            var p = new double[n, 2, s];
            var g = new double[n, 2, s];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < s; j++)
                {
                    double q = fromLogits ? 1 / (1 + Math.Exp(-z[i, 0, j])) : z[i, 0, j];
                    p[i, 0, j] = 1 - q;
                    p[i, 1, j] = q;
                    g[i, 0, j] = 1 - t[i, 0, j];
                    g[i, 1, j] = t[i, 0, j];
                }
            return (p, g);
        }
    }
}
