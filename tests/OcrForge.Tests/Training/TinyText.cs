using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using OcrForge.Models;
using OcrForge.Training;

namespace OcrForge.Tests.Training;

/// <summary>
/// Tiny synthetic text lines for fast training tests: each symbol is an 8-pixel-wide glyph with its own pattern of
/// horizontal strokes, placed left to right with random gaps on a 16×64 canvas.
/// </summary>
public static class TinyText
{
    public const int Width = 64, Height = 16;
    public const string Symbols = "abcd";

    public static List<Sample> Make(int count, int seed)
    {
        var rng = new Random(seed);
        var samples = new List<Sample>();
        for (int n = 0; n < count; n++)
        {
            int length = rng.Next(2, 5);
            var label = string.Concat(Enumerable.Range(0, length).Select(_ => Symbols[rng.Next(Symbols.Length)]));
            var pixels = Enumerable.Repeat((byte)230, Width * Height).ToArray();
            int x = rng.Next(0, 4);
            foreach (char c in label)
            {
                int code = Symbols.IndexOf(c) + 1; // 1..4 as a 3-bit stroke pattern, so every glyph differs
                for (int row = 0; row < 3; row++)
                    if ((code >> row & 1) == 1 || row == 1 && code == 4)
                        for (int dy = 0; dy < 3; dy++)
                            for (int dx = 0; dx < 6; dx++)
                                pixels[(2 + row * 5 + dy) * Width + x + dx] = 20;
                x += 8 + rng.Next(0, 4);
            }
            samples.Add(new Sample(new GrayImage(Width, Height, pixels), label, $"tiny{n}.png"));
        }
        return samples;
    }

    public static CrnnConfig Model => new()
    {
        InputHeight = Height,
        InputWidth = Width,
        Filters = [8, 16],
        Kernels = [3, 3],
        Pools = [new(2, 2), new(2, 1)],
        BatchNorm = true,
        Rnn = RnnKind.Gru,
        RnnHidden = [24],
        Bidirectional = true,
        Init = WeightInit.Keras,
    };

    public static Charset Charset => new(Symbols.Select(c => c.ToString()), hasBlank: true);

    /// <summary>A CTC task over the given training and validation samples, standardised like the real pipeline.</summary>
    public static (CtcTrainingTask Task, IDisposable Resources) Task(OcrModule model, List<Sample> train, List<Sample> validation)
    {
        var spec = CtcTraining.Standardize(train, Model);
        var trainBatches = new ImageBatches(train, spec, null);
        var validationBatches = new ImageBatches(validation, spec, null);
        return (new CtcTrainingTask(model, Charset, trainBatches, validationBatches), new Both(trainBatches, validationBatches));
    }

    private sealed class Both(IDisposable a, IDisposable b) : IDisposable
    {
        public void Dispose() { a.Dispose(); b.Dispose(); }
    }
}
