// The pairs that set each SegLoss loss against a line-by-line port of a peer (the files beside this one), with the
// SegLoss options that make both give the same value. Shared by the quick timing, the BenchmarkDotNet class and the
// agreement tests (tests/SegLoss.Tests links this folder), so that what is timed is what is checked.
using System;
using System.Collections.Generic;
using System.Linq;
using SegLoss.Maps;
using TorchSharp;
using static TorchSharp.torch;

namespace SegLoss.Benchmarks.Ports
{
    /// <summary>
    /// One pair, built for a given input: the SegLoss call, the port's call, and what to dispose afterwards (modules,
    /// precomputed maps). <see cref="Offset"/> is SegLoss's value minus the port's by design (nnU-Net returns −Dice
    /// where SegLoss returns 1 − Dice); 0 for every other pair.
    /// </summary>
    internal sealed class PairCase : IDisposable
    {
        private readonly IDisposable[] _owned;

        public PairCase(Func<Tensor, Tensor, Tensor> segLoss, Func<Tensor, Tensor, Tensor> port, double offset, params IDisposable[] owned)
        {
            SegLoss = segLoss;
            Port = port;
            Offset = offset;
            _owned = owned;
        }

        public Func<Tensor, Tensor, Tensor> SegLoss { get; }

        public Func<Tensor, Tensor, Tensor> Port { get; }

        public double Offset { get; }

        public void Dispose()
        {
            foreach (var owned in _owned) owned.Dispose();
        }
    }

    /// <summary>
    /// A pair: its name, the peer function ported, the SegLoss side, whether it runs on the binary input (N, 1, H, W)
    /// with a float 0/1 target (otherwise (N, C, H, W) logits with int64 labels (N, H, W)), the option mapping, and
    /// how to build it for an input and target (the target supplies the precomputed distance maps).
    /// </summary>
    internal sealed record PortPair(string Name, string Peer, string Loss, bool Binary, string Mapping, Func<Tensor, Tensor, PairCase> Create)
    {
        public string Shape => Binary ? PortPairs.BinaryShape : PortPairs.MulticlassShape;
    }

    internal static class PortPairs
    {
        public const string BinaryShape = "8x1x256x256";
        public const string MulticlassShape = "8x4x256x256";

        public static IReadOnlyList<PortPair> All { get; } = Build();

        public static PortPair Find(string name) =>
            All.FirstOrDefault(p => p.Name == name) ?? throw new ArgumentException($"unknown pair '{name}'", nameof(name));

        private static PairCase Of(SegmentationLoss loss, Func<Tensor, Tensor, Tensor> port, double offset = 0) =>
            new(loss.call, port, offset, loss);

        private static List<PortPair> Build()
        {
            const LossMode B = LossMode.Binary;
            var pairs = new List<PortPair>();
            void Add(string name, string peer, string loss, bool binary, string mapping, Func<Tensor, Tensor, PairCase> create) =>
                pairs.Add(new PortPair(name, peer, loss, binary, mapping, create));

            // Binary, 8x1x256x256, float 0/1 target (N, 1, H, W).
            Add("monai-dice-sigmoid", "MONAI DiceLoss(sigmoid=True)", "DiceLoss(Binary)", true,
                "defaults on both sides (smooth_nr = smooth_dr = 1e-5, per image)",
                (x, t) => Of(new DiceLoss(mode: B), (i, g) => Monai.DiceLoss(i, g, sigmoid: true)));
            Add("monai-gdl-sigmoid", "MONAI GeneralizedDiceLoss(sigmoid=True)", "GeneralizedDiceLoss(Binary)", true,
                "defaults on both sides (w_type square, smooth 1e-5)",
                (x, t) => Of(new GeneralizedDiceLoss(mode: B), (i, g) => Monai.GeneralizedDiceLoss(i, g, sigmoid: true)));
            Add("monai-dicece-sigmoid", "MONAI DiceCELoss(sigmoid=True)", "DiceLoss(Binary) + CrossEntropyLoss(Binary)", true,
                "defaults; MONAI's BCE-with-logits term is SegLoss's Binary CE",
                (x, t) => Of(new DiceLoss(mode: B) + new CrossEntropyLoss(mode: B), (i, g) => Monai.DiceCELoss(i, g, sigmoid: true)));
            Add("smp-focal-binary", "smp FocalLoss('binary')", "FocalLoss(Binary)", true,
                "gamma 2, alpha None on both sides",
                (x, t) => Of(new FocalLoss(mode: B), (i, g) => Smp.FocalLossBinary(i, g)));
            Add("smp-focal-binary-alpha", "smp FocalLoss('binary', alpha=0.25)", "FocalLoss(Binary, alpha: 0.25)", true,
                "gamma 2, alpha 0.25 (alpha on positives, 1 − alpha on negatives on both sides)",
                (x, t) => Of(new FocalLoss(mode: B, alpha: 0.25), (i, g) => Smp.FocalLossBinary(i, g, alpha: 0.25)));
            Add("monai-focal-sigmoid", "MONAI FocalLoss(gamma=2)", "FocalLoss(Binary)", true,
                "gamma 2, alpha None; MONAI's sigmoid focal is the default (use_softmax False)",
                (x, t) => Of(new FocalLoss(mode: B), (i, g) => Monai.FocalLoss(i, g, gamma: 2.0)));
            Add("monai-dicefocal-sigmoid", "MONAI DiceFocalLoss(sigmoid=True)", "DiceLoss(Binary) + FocalLoss(Binary)", true,
                "defaults (gamma 2, lambdas 1)",
                (x, t) => Of(new DiceLoss(mode: B) + new FocalLoss(mode: B), (i, g) => Monai.DiceFocalLoss(i, g, sigmoid: true)));
            Add("smp-dice-binary", "smp DiceLoss('binary')", "DiceLoss(Binary, batch, smooth 0/0)", true,
                "smp pools the batch and has smooth 0 (eps clamp 1e-7, not reached): batch: true, smoothNumerator: 0, smoothDenominator: 0",
                (x, t) => Of(new DiceLoss(mode: B, batch: true, smoothNumerator: 0, smoothDenominator: 0), (i, g) => Smp.DiceLoss(i, g, multiclass: false)));
            Add("monai-tversky-sigmoid", "MONAI TverskyLoss(sigmoid=True)", "TverskyLoss(Binary, 0.5, 0.5)", true,
                "MONAI's defaults alpha = beta = 0.5 (alpha on FP on both sides): alpha: 0.5, beta: 0.5",
                (x, t) => Of(new TverskyLoss(mode: B, alpha: 0.5, beta: 0.5), (i, g) => Monai.TverskyLoss(i, g, sigmoid: true)));
            Add("smp-tversky-binary", "smp TverskyLoss('binary')", "TverskyLoss(Binary, 0.5, 0.5, batch, smooth 0/0)", true,
                "alpha: 0.5, beta: 0.5, batch: true, smoothNumerator: 0, smoothDenominator: 0 (gamma 1)",
                (x, t) => Of(new TverskyLoss(mode: B, alpha: 0.5, beta: 0.5, batch: true, smoothNumerator: 0, smoothDenominator: 0),
                    (i, g) => Smp.TverskyLoss(i, g, multiclass: false)));
            Add("berman-lovasz-hinge", "Berman lovasz_hinge(per_image=True)", "LovaszHingeLoss(Binary)", true,
                "defaults (per image on both sides); the port gets (N, H, W) views",
                (x, t) => Of(new LovaszHingeLoss(), (i, g) => Berman.LovaszHinge(i.squeeze(1), g.squeeze(1))));
            Add("smp-lovasz-binary", "smp LovaszLoss('binary')", "LovaszHingeLoss(Binary, perImage: false)", true,
                "smp's per_image defaults to False: perImage: false",
                (x, t) => Of(new LovaszHingeLoss(perImage: false), (i, g) => Smp.LovaszHinge(i, g)));

            // Multiclass, 8x4x256x256, int64 labels (N, H, W).
            Add("smp-focal-multiclass", "smp FocalLoss('multiclass')", "FocalLoss(Multilabel) on OneHot.Encode(labels)", false,
                "one-vs-rest sigmoid focal: Multilabel mode on a one-hot target encoded in the call (mean over classes of per-class means = mean over all entries)",
                (x, t) =>
                {
                    var focal = new FocalLoss(mode: LossMode.Multilabel);
                    long c = x.size(1);
                    return new PairCase((i, g) => focal.call(i, OneHot.Encode(g, c, dtype: i.dtype)), (i, g) => Smp.FocalLossMulticlass(i, g), 0, focal);
                });
            Add("nnunet-dice", "nnU-Net MemoryEfficientSoftDiceLoss", "DiceLoss(includeBackground: false, batch: true)", false,
                "nnU-Net trainer settings (batch_dice True as in 2d plans, do_bg False, smooth 1e-5): includeBackground: false, batch: true; nnU-Net returns −Dice, SegLoss 1 − Dice (offset 1, same gradient)",
                (x, t) => Of(new DiceLoss(includeBackground: false, batch: true), (i, g) => NnUNet.MemoryEfficientSoftDiceLoss(i, g), offset: 1));
            Add("nnunet-dice-ce", "nnU-Net DC_and_CE_loss(MemoryEfficientSoftDiceLoss)", "DiceLoss(includeBackground: false, batch: true) + CrossEntropyLoss()", false,
                "as nnunet-dice, plus CE; offset 1",
                (x, t) => Of(new DiceLoss(includeBackground: false, batch: true) + new CrossEntropyLoss(), (i, g) => NnUNet.DiceAndCE(i, g.unsqueeze(1)), offset: 1));
            Add("monai-dicefocal-softmax", "MONAI DiceFocalLoss(softmax=True, to_onehot_y=True)", "DiceLoss() + FocalLoss(Multilabel) on OneHot.Encode(labels)", false,
                "MONAI's focal term stays sigmoid (use_softmax is not passed on): softmax Dice on the labels plus Multilabel focal on a one-hot target encoded in the call",
                (x, t) =>
                {
                    var dice = new DiceLoss();
                    var focal = new FocalLoss(mode: LossMode.Multilabel);
                    long c = x.size(1);
                    return new PairCase((i, g) => dice.call(i, g) + focal.call(i, OneHot.Encode(g, c, dtype: i.dtype)),
                        (i, g) => Monai.DiceFocalLoss(i, g.unsqueeze(1), softmax: true, toOnehotY: true), 0, dice, focal);
                });
            Add("monai-dice-softmax", "MONAI DiceLoss(softmax=True, to_onehot_y=True)", "DiceLoss()", false,
                "defaults", (x, t) => Of(new DiceLoss(), (i, g) => Monai.DiceLoss(i, g.unsqueeze(1), softmax: true, toOnehotY: true)));
            Add("monai-gdl-softmax", "MONAI GeneralizedDiceLoss(softmax=True, to_onehot_y=True)", "GeneralizedDiceLoss()", false,
                "defaults", (x, t) => Of(new GeneralizedDiceLoss(), (i, g) => Monai.GeneralizedDiceLoss(i, g.unsqueeze(1), softmax: true, toOnehotY: true)));
            Add("monai-dicece-softmax", "MONAI DiceCELoss(softmax=True, to_onehot_y=True)", "DiceLoss() + CrossEntropyLoss()", false,
                "defaults", (x, t) => Of(new DiceLoss() + new CrossEntropyLoss(), (i, g) => Monai.DiceCELoss(i, g.unsqueeze(1), softmax: true, toOnehotY: true)));
            Add("monai-focal-softmax", "MONAI FocalLoss(use_softmax=True, to_onehot_y=True)", "(1/C) · FocalLoss()", false,
                "MONAI averages −(1 − p)^γ log p · g over (N, C, pixels), SegLoss over pixels: weight 1/C",
                (x, t) => Of((1.0 / x.size(1)) * new FocalLoss(), (i, g) => Monai.FocalLoss(i, g.unsqueeze(1), toOnehotY: true, useSoftmax: true)));
            Add("monai-tversky-softmax", "MONAI TverskyLoss(softmax=True, to_onehot_y=True)", "TverskyLoss(alpha: 0.5, beta: 0.5)", false,
                "MONAI's defaults alpha = beta = 0.5: alpha: 0.5, beta: 0.5",
                (x, t) => Of(new TverskyLoss(alpha: 0.5, beta: 0.5), (i, g) => Monai.TverskyLoss(i, g.unsqueeze(1), softmax: true, toOnehotY: true)));
            Add("smp-tversky-multiclass", "smp TverskyLoss('multiclass')", "TverskyLoss(0.5, 0.5, batch, smooth 0/0)", false,
                "alpha: 0.5, beta: 0.5, batch: true, smoothNumerator: 0, smoothDenominator: 0 (gamma 1; every class present)",
                (x, t) => Of(new TverskyLoss(alpha: 0.5, beta: 0.5, batch: true, smoothNumerator: 0, smoothDenominator: 0), (i, g) => Smp.TverskyLoss(i, g, multiclass: true)));
            Add("smp-dice-multiclass", "smp DiceLoss('multiclass')", "DiceLoss(batch, smooth 0/0)", false,
                "batch: true, smoothNumerator: 0, smoothDenominator: 0 (every class present, so smp's empty-class zeroing does not apply)",
                (x, t) => Of(new DiceLoss(batch: true, smoothNumerator: 0, smoothDenominator: 0), (i, g) => Smp.DiceLoss(i, g, multiclass: true)));
            Add("berman-lovasz-softmax", "Berman lovasz_softmax(softmax(x))", "LovaszSoftmaxLoss()", false,
                "defaults (classes present, not per image)",
                (x, t) => Of(new LovaszSoftmaxLoss(), (i, g) => Berman.LovaszSoftmax(torch.softmax(i, 1), g)));
            Add("smp-lovasz-multiclass", "smp LovaszLoss('multiclass')", "LovaszSoftmaxLoss()", false,
                "defaults", (x, t) => Of(new LovaszSoftmaxLoss(), (i, g) => Smp.LovaszSoftmax(i, g)));
            Add("livia-boundary", "LIVIA SurfaceLoss(idc=[1..C-1]) on softmax(x)", "BoundaryLoss() with precomputed maps", false,
                "SegLoss's default classes (all but the background) = idc [1, .., C − 1]; maps from SignedDistanceMap.FromLabels, computed once outside the call",
                (x, t) =>
                {
                    var boundary = new BoundaryLoss();
                    long c = x.size(1);
                    var maps = SignedDistanceMap.FromLabels(t, c, dtype: x.dtype);
                    var idc = Enumerable.Range(1, (int)c - 1).Select(k => (long)k).ToArray();
                    return new PairCase((i, g) => boundary.call(i, g, maps), (i, g) => Livia.SurfaceLoss(i, maps, idc), 0, boundary, maps);
                });
            return pairs;
        }
    }
}
