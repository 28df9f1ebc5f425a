using System;
using SegLoss;
using TorchSharp;
using static TorchSharp.torch;

// Minimal SegLoss sample: a Dice loss and its gradient on random logits and labels.
manual_seed(0);
const long batch = 2, classes = 3, height = 8, width = 8;

using var scope = NewDisposeScope();
var logits = randn(new[] { batch, classes, height, width }, requires_grad: true);
var labels = randint(0, classes, new[] { batch, height, width });

using var dice = new DiceLoss(mode: LossMode.Multiclass);
var loss = dice.call(logits, labels);
loss.backward();

var grad = logits.grad!;
Console.WriteLine($"Dice loss on random data: {loss.ToSingle():F4}");
Console.WriteLine($"gradient shape [{string.Join(", ", grad.shape)}], L2 norm {grad.norm().ToSingle():E3}");

// A gradient step on the logits lowers the loss.
using (no_grad())
{
    var stepped = logits - grad * 10.0;
    var after = dice.call(stepped, labels);
    Console.WriteLine($"after one step of size 10: {after.ToSingle():F4}");
}
