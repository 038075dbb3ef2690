using OcrForge.Data;
using OcrForge.Inference.Imaging;
using static TorchSharp.torch;

namespace OcrForge.Training;

/// <summary>
/// Turns in-memory samples (already resized to the model's input) into [N, 1, H, W] float batches. Without
/// augmentation a fixed-size set is normalised once into one tensor and batches are row gathers; with it, each batch
/// is augmented afresh in parallel, every image with its own generator seeded from the caller's, so the result does
/// not depend on thread scheduling. A variable-width set (<see cref="ResizeMode.KeepAspect"/>) is laid out per batch
/// by <see cref="Preprocessor.Pack"/>, the same code the engines use: padded to the batch's widest image, and
/// <see cref="Frames"/> tells each image's own frame count.
/// </summary>
public sealed class ImageBatches : IDisposable
{
    private readonly IReadOnlyList<Sample> _samples;
    private readonly PreprocessSpec _spec;
    private readonly Augmenter? _augmenter;
    private readonly Tensor? _all;

    public ImageBatches(IReadOnlyList<Sample> samples, PreprocessSpec spec, Augmenter? augmenter)
    {
        foreach (var s in samples)
            if (spec.VariableWidth
                    ? s.Image.Height != spec.Height || s.Image.Width > spec.Width
                    : s.Image.Width != spec.Width || s.Image.Height != spec.Height)
                throw new ArgumentException($"{s.Path}: sample is {s.Image.Width}x{s.Image.Height}, expected " +
                    (spec.VariableWidth
                        ? $"at most {spec.Width} wide and {spec.Height} high"
                        : $"{spec.Width}x{spec.Height}"), nameof(samples));
        _samples = samples;
        _spec = spec;
        _augmenter = augmenter;
        if (augmenter is null && !spec.VariableWidth)
            _all = Stack(Enumerable.Range(0, samples.Count).ToList(), null).DetachFromDisposeScope();
    }

    public int Count => _samples.Count;
    public bool VariableWidth => _spec.VariableWidth;
    public Sample this[int index] => _samples[index];

    /// <summary>The batch of the given sample indices; created in the caller's dispose scope.</summary>
    public Tensor Get(IReadOnlyList<int> indices, Random? augmentation)
    {
        if (_all is not null) return _all.index_select(0, tensor(indices.Select(i => (long)i).ToArray()));
        return Stack(indices, augmentation);
    }

    /// <summary>
    /// The frames each sample of a batch owns (CTC's input lengths, the decoder's limits); null for a fixed-size set,
    /// where every frame counts. Augmentation keeps an image's size, so this does not depend on it.
    /// </summary>
    public int[]? Frames(IReadOnlyList<int> indices) =>
        _spec.VariableWidth ? indices.Select(i => _spec.FramesOf(_samples[i].Image.Width)).ToArray() : null;

    private Tensor Stack(IReadOnlyList<int> indices, Random? augmentation)
    {
        // One seed per image, drawn in order, keeps augmentation independent of how Parallel.For schedules work.
        var seeds = indices.Select(_ => augmentation?.Next() ?? 0).ToArray();
        GrayImage ImageAt(int i)
        {
            var image = _samples[indices[i]].Image;
            return _augmenter is not null && augmentation is not null
                ? _augmenter.Apply(image, new Random(seeds[i]))
                : image;
        }
        if (_spec.VariableWidth)
        {
            var images = new GrayImage[indices.Count];
            Parallel.For(0, indices.Count, i => images[i] = ImageAt(i));
            var packed = Preprocessor.Pack(images, _spec);
            return tensor(packed.Data, [packed.Count, 1, packed.Height, packed.Width]);
        }
        int size = _spec.Width * _spec.Height;
        var data = new float[indices.Count * size];
        Parallel.For(0, indices.Count,
            i => Preprocessor.Normalize(ImageAt(i).Pixels, _spec, data.AsSpan(i * size, size)));
        return tensor(data, [indices.Count, 1, _spec.Height, _spec.Width]);
    }

    public void Dispose() => _all?.Dispose();
}
