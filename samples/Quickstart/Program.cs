using SegLoss.Quickstart;

// SegLoss quickstart: trains a small U-Net with Dice + CE (or another loss) on synthetic shapes or on a folder of
// PNG pairs, shows validation Dice per class while it trains, and ends with a labeled prediction picture and a
// training-curve plot. `--help` lists the options.
return QuickstartCommand.Create(Quickstart.Run).Parse(args).Invoke();
