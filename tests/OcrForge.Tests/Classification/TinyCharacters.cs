using OcrForge.Inference.Imaging;
using OcrForge.Models;
using OcrForge.Training.Classification;

namespace OcrForge.Tests.Classification;

/// <summary>
/// Synthetic 32×32 "characters" that a tiny network separates in a few steps: class c is a bar at angle c·45°
/// (dark ink on light paper), jittered in position and brightness by a seeded generator.
/// </summary>
public static class TinyCharacters
{
    public static IReadOnlyList<LabeledImage> Make(int perClass, int classes = 4, int seed = 0)
    {
        var rng = new Random(seed);
        var result = new List<LabeledImage>();
        for (int i = 0; i < perClass; i++)
            for (int c = 0; c < classes; c++)
                result.Add(new LabeledImage(Bar(c * Math.PI / classes, rng), c));
        return result;
    }

    private static GrayImage Bar(double angle, Random rng)
    {
        const int side = 32;
        var pixels = new byte[side * side];
        double cx = 15.5 + rng.Next(-3, 4), cy = 15.5 + rng.Next(-3, 4);
        double nx = -Math.Sin(angle), ny = Math.Cos(angle);
        byte paper = (byte)rng.Next(200, 256), ink = (byte)rng.Next(0, 60);
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
                pixels[y * side + x] = Math.Abs((x - cx) * nx + (y - cy) * ny) < 2.5 ? ink : paper;
        return new GrayImage(side, side, pixels);
    }

    /// <summary>A two-conv CNN small enough for tests (a few thousand parameters).</summary>
    public static CnnConfig TinyCnn => new()
    {
        InputHeight = 32,
        InputWidth = 32,
        Layers = [new(8, Stride: 2, BatchNorm: true), new(16, Stride: 2, BatchNorm: true)],
    };

    public static PreprocessSpec Spec => new(32, 32, Mean: 0.5f, Std: 0.5f);
}
