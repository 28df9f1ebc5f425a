using System;
using System.Linq;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    /// <summary>
    /// A plain-loop reference of clDice's soft morphology and of MONAI's <c>cldice.py</c> steps, on managed arrays
    /// (N, C, D, H, W); 1D and 2D maps are embedded with size-1 leading spatial axes, which take no part in the
    /// windows because out-of-image neighbours are skipped (max-pooling's −∞ padding).
    /// </summary>
    public sealed class ClDiceReference
    {
        public ClDiceReference(double[] data, int n, int c, int d, int h, int w)
        {
            Data = data;
            N = n; C = c; D = d; H = h; W = w;
        }

        public double[] Data { get; }
        public int N { get; }
        public int C { get; }
        public int D { get; }
        public int H { get; }
        public int W { get; }

        /// <summary>Copies a float64 tensor (N, C, *spatial) with 1 to 3 spatial dimensions.</summary>
        public static ClDiceReference From(Tensor t)
        {
            var s = t.shape.Select(v => (int)v).ToArray();
            int d = s.Length == 5 ? s[2] : 1;
            int h = s.Length >= 4 ? s[^2] : 1;
            int w = s[^1];
            return new ClDiceReference(t.to(ScalarType.Float64).contiguous().data<double>().ToArray(), s[0], s[1], d, h, w);
        }

        public double this[int n, int c, int z, int y, int x] => Data[Index(n, c, z, y, x)];

        private int Index(int n, int c, int z, int y, int x) => (((n * C + c) * D + z) * H + y) * W + x;

        private ClDiceReference Map(Func<int, int, int, int, int, double> f)
        {
            var r = new double[Data.Length];
            for (int n = 0; n < N; n++)
                for (int c = 0; c < C; c++)
                    for (int z = 0; z < D; z++)
                        for (int y = 0; y < H; y++)
                            for (int x = 0; x < W; x++)
                                r[Index(n, c, z, y, x)] = f(n, c, z, y, x);
            return new ClDiceReference(r, N, C, D, H, W);
        }

        private bool Inside(int z, int y, int x) => z >= 0 && z < D && y >= 0 && y < H && x >= 0 && x < W;

        /// <summary>Minimum over the pixel and its (up to six) axis neighbours.</summary>
        public ClDiceReference Erode() => Map((n, c, z, y, x) =>
        {
            double m = this[n, c, z, y, x];
            foreach (var (dz, dy, dx) in new[] { (-1, 0, 0), (1, 0, 0), (0, -1, 0), (0, 1, 0), (0, 0, -1), (0, 0, 1) })
                if (Inside(z + dz, y + dy, x + dx)) m = Math.Min(m, this[n, c, z + dz, y + dy, x + dx]);
            return m;
        });

        /// <summary>Maximum over the 3×3×3 box.</summary>
        public ClDiceReference Dilate() => Map((n, c, z, y, x) =>
        {
            double m = double.NegativeInfinity;
            for (int dz = -1; dz <= 1; dz++)
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                        if (Inside(z + dz, y + dy, x + dx)) m = Math.Max(m, this[n, c, z + dz, y + dy, x + dx]);
            return m;
        });

        public ClDiceReference Open() => Erode().Dilate();

        private ClDiceReference Zip(ClDiceReference other, Func<double, double, double> f) =>
            new(Data.Zip(other.Data, f).ToArray(), N, C, D, H, W);

        private static double Relu(double v) => Math.Max(v, 0);

        /// <summary>
        /// MONAI's <c>soft_skel</c> step by step: img1 = open(img); skel = relu(img − img1); then iter_ times
        /// img = erode(img); img1 = open(img); delta = relu(img − img1); skel += relu(delta − skel·delta).
        /// </summary>
        public ClDiceReference Skeleton(int iterations)
        {
            var img = this;
            var img1 = img.Open();
            var skel = img.Zip(img1, (a, b) => Relu(a - b));
            for (int i = 0; i < iterations; i++)
            {
                img = img.Erode();
                img1 = img.Open();
                var delta = img.Zip(img1, (a, b) => Relu(a - b));
                skel = skel.Zip(delta, (s, dl) => s + Relu(dl - s * dl));
            }
            return skel;
        }

        /// <summary>Σ over images, channels from <paramref name="firstChannel"/> on, and space, of f(this, other).</summary>
        public double Sum(int firstChannel, ClDiceReference? other = null)
        {
            double total = 0;
            for (int n = 0; n < N; n++)
                for (int c = firstChannel; c < C; c++)
                    for (int z = 0; z < D; z++)
                        for (int y = 0; y < H; y++)
                            for (int x = 0; x < W; x++)
                                total += this[n, c, z, y, x] * (other is null ? 1.0 : other[n, c, z, y, x]);
            return total;
        }

        /// <summary>
        /// MONAI <c>SoftclDiceLoss(iter_, smooth)(y_true, y_pred)</c>: skeletons of both, then tprec and tsens over
        /// <c>[:, firstChannel:, ...]</c> summed over batch and space together, and 1 − 2·tprec·tsens/(tprec + tsens).
        /// MONAI's own slice is firstChannel = 1.
        /// </summary>
        public static double MonaiClDice(ClDiceReference yTrue, ClDiceReference yPred, int iterations = 3, double smooth = 1.0, int firstChannel = 1)
        {
            var skelPred = yPred.Skeleton(iterations);
            var skelTrue = yTrue.Skeleton(iterations);
            double tprec = (skelPred.Sum(firstChannel, yTrue) + smooth) / (skelPred.Sum(firstChannel) + smooth);
            double tsens = (skelTrue.Sum(firstChannel, yPred) + smooth) / (skelTrue.Sum(firstChannel) + smooth);
            return 1.0 - 2.0 * (tprec * tsens) / (tprec + tsens);
        }

        /// <summary>MONAI <c>soft_dice(y_true, y_pred, smooth)</c>: 1 − (2·Σ g·p + s)/(Σ g + Σ p + s) over <c>[:, 1:]</c>.</summary>
        public static double MonaiSoftDice(ClDiceReference yTrue, ClDiceReference yPred, double smooth = 1.0, int firstChannel = 1)
        {
            double intersection = yTrue.Sum(firstChannel, yPred);
            return 1.0 - (2.0 * intersection + smooth) / (yTrue.Sum(firstChannel) + yPred.Sum(firstChannel) + smooth);
        }

        /// <summary>MONAI <c>SoftDiceclDiceLoss(iter_, alpha, smooth)(y_true, y_pred)</c>.</summary>
        public static double MonaiDiceClDice(ClDiceReference yTrue, ClDiceReference yPred, int iterations = 3, double alpha = 0.5, double smooth = 1.0, int firstChannel = 1) =>
            (1.0 - alpha) * MonaiSoftDice(yTrue, yPred, smooth, firstChannel) + alpha * MonaiClDice(yTrue, yPred, iterations, smooth, firstChannel);
    }
}
