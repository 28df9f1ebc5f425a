using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SegLoss.Quickstart
{
    /// <summary>
    /// A small U-Net-like encoder-decoder: two down-sampling stages, a bottleneck, and two up-sampling stages
    /// with skip connections (concatenation), ending in per-pixel class logits.
    /// </summary>
    internal sealed class TinyUNet : nn.Module<Tensor, Tensor>
    {
        private readonly Sequential enc1, enc2, bottleneck, dec2, dec1;
        private readonly MaxPool2d pool;
        private readonly ConvTranspose2d up2, up1;
        private readonly Conv2d head;

        internal TinyUNet(long inChannels, long classes, long width = 16) : base(nameof(TinyUNet))
        {
            enc1 = Block(inChannels, width);
            enc2 = Block(width, width * 2);
            bottleneck = Block(width * 2, width * 4);
            pool = nn.MaxPool2d(2);
            up2 = nn.ConvTranspose2d(width * 4, width * 2, 2, stride: 2);
            dec2 = Block(width * 4, width * 2);
            up1 = nn.ConvTranspose2d(width * 2, width, 2, stride: 2);
            dec1 = Block(width * 2, width);
            head = nn.Conv2d(width, classes, 1);
            RegisterComponents();
        }

        private static Sequential Block(long inChannels, long outChannels) => nn.Sequential(
            nn.Conv2d(inChannels, outChannels, 3, padding: 1, bias: false),
            nn.BatchNorm2d(outChannels),
            nn.ReLU(),
            nn.Conv2d(outChannels, outChannels, 3, padding: 1, bias: false),
            nn.BatchNorm2d(outChannels),
            nn.ReLU());

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var e1 = enc1.call(input);
            var e2 = enc2.call(pool.call(e1));
            var b = bottleneck.call(pool.call(e2));
            var d2 = dec2.call(cat(new[] { up2.call(b), e2 }, 1));
            var d1 = dec1.call(cat(new[] { up1.call(d2), e1 }, 1));
            return head.call(d1).MoveToOuterDisposeScope();
        }
    }
}
