using OcrForge.Inference.Imaging;

namespace OcrForge.Inference.Engines;

/// <summary>What a model computes, as an inference engine sees it.</summary>
public enum OcrTask { TextRecognition, Classification }

/// <summary>Everything needed to feed a model and read its output; carried by every model file (.ocrf and
/// .onnx).</summary>
/// <param name="Training">
/// How the model was trained (preset, seed, split fractions, metrics): lets tools re-create its held-out split
/// from any copy of the model, exported or quantized.
/// </param>
public sealed record ModelInfo(OcrTask Task, Charset Charset, PreprocessSpec Preprocess,
    IReadOnlyDictionary<string, string>? Training = null)
{
    public IReadOnlyDictionary<string, string> Training { get; init; } = Training ?? new Dictionary<string, string>();
    /// <summary>The training run's specification as JSON (OcrForge's <c>RunSpecification</c>), when the file
    /// carries one; null for files written before, or trained elsewhere.</summary>
    public string? RunSpecification { get; init; }
}

/// <summary>
/// Raw scores from a model. Text recognition: [N, T, C] per-frame logits over charset + blank (blank = class 0).
/// Classification: [N, C] logits. Row-major.
/// </summary>
public sealed record EngineOutput(float[] Data, int[] Shape)
{
    /// <summary>
    /// Variable-width models: how many leading frames of each row belong to its image (the rest saw padding and are
    /// not decoded). Null when every frame counts (fixed-size models).
    /// </summary>
    public int[]? Frames { get; init; }

    /// <summary>The frames of row <paramref name="n"/> that belong to its image.</summary>
    public int FramesOf(int n) => Frames is { } f ? Math.Min(f[n], Shape[1]) : Shape[1];
}

/// <summary>
/// A batch of preprocessed images [Count, 1, Height, Width], row-major, as <see
/// cref="Imaging.Preprocessor.Pack"/> lays it out. For a variable-width model also each image's frame count and the
/// normalised background its row was padded with, so that batches of different widths can be joined (<see
/// cref="Concatenate"/>).
/// </summary>
public sealed record EngineInput(float[] Data, int Count, int Height, int Width)
{
    public int[]? Frames { get; init; }
    public float[]? Fill { get; init; }

    /// <summary>
    /// Decoded images as one model input: each prepared with <paramref name="spec"/> (resize, contrast,
    /// normalisation, as training did) and packed by <see cref="Imaging.Preprocessor.Pack"/>.
    /// </summary>
    public static EngineInput Prepare(IReadOnlyList<GrayImage> images, PreprocessSpec spec)
    {
        var prepared = new GrayImage[images.Count];
        Preprocessor.For(images.Count, i => prepared[i] = Preprocessor.Prepare(images[i], spec));
        return Preprocessor.Pack(prepared, spec);
    }

    /// <summary>
    /// One batch of several, every row padded to the widest with its own fill: what a server does when it gathers
    /// requests of different widths into one engine call. A row's content and frame count do not change.
    /// </summary>
    public static EngineInput Concatenate(IReadOnlyList<EngineInput> parts)
    {
        if (parts.Count == 1) return parts[0];
        int width = parts.Max(p => p.Width), height = parts[0].Height, count = parts.Sum(p => p.Count);
        bool variable = parts.Any(p => p.Frames is not null);
        var data = new float[count * height * width];
        var frames = variable ? new int[count] : null;
        var fills = variable ? new float[count] : null;
        int at = 0;
        foreach (var part in parts)
        {
            if (part.Height != height)
                throw new ArgumentException("inputs of different heights cannot share a batch", nameof(parts));
            if (part.Width != width && (part.Fill is null || part.Frames is null))
                throw new ArgumentException("inputs of different widths need their fills to be joined", nameof(parts));
            for (int i = 0; i < part.Count; i++, at++)
            {
                var row = data.AsSpan(at * height * width, height * width);
                if (part.Fill is { } fill) row.Fill(fill[i]);
                for (int y = 0; y < height; y++)
                    part.Data.AsSpan((i * height + y) * part.Width, part.Width).CopyTo(row.Slice(y * width));
                if (frames is not null)
                {
                    // A row without a count is as wide as the batch: all its frames are its own (clamped by FramesOf).
                    frames[at] = part.Frames is { } f ? f[i] : int.MaxValue;
                    fills![at] = part.Fill?[i] ?? 0f;
                }
            }
        }
        return new EngineInput(data, count, height, width) { Frames = frames, Fill = fills };
    }
}

/// <summary>
/// Runs a model on a batch of preprocessed images [N, 1, H, W]. Implementations are thread-safe: one engine serves
/// concurrent callers. Engines: ONNX Runtime (this package) and TorchSharp (the OcrForge library, for .ocrf files),
/// each registered by name in <see cref="EngineFactory"/>.
/// </summary>
public interface IOcrEngine : IDisposable
{
    string Name { get; }
    ModelInfo Info { get; }
    /// <summary>
    /// Runs <paramref name="batch"/> images [N, 1, H, W]: W is the model's width or, for a variable-width model, any
    /// multiple of its frame width (<see cref="PreprocessSpec.BatchWidth"/>); every output frame is returned.
    /// </summary>
    EngineOutput Run(float[] input, int batch, CancellationToken cancellationToken = default);
}

public static class EngineExtensions
{
    /// <summary>
    /// Runs a packed batch (<see cref="Imaging.Preprocessor.Pack"/>) and tells which frames of each row belong to its
    /// image: every engine applies the same layout and the same frame rule, because both come from the input.
    /// </summary>
    public static EngineOutput Run(this IOcrEngine engine, EngineInput input,
        CancellationToken cancellationToken = default) =>
        engine.Run(input.Data, input.Count, cancellationToken) with { Frames = input.Frames };
}

