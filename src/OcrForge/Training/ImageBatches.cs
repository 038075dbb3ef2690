using OcrForge.Data;
using OcrForge.Inference.Imaging;
using static TorchSharp.torch;

namespace OcrForge.Training;

/// <summary>
/// Turns in-memory samples (already resized to the model's input) into [N, 1, H, W] float batches. Without
/// augmentation the whole set is normalised once into one tensor and batches are row gathers; with it, each batch is
/// augmented afresh in parallel, every image with its own generator seeded from the caller's, so the result does not
/// depend on thread scheduling.
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
            if (s.Image.Width != spec.Width || s.Image.Height != spec.Height)
                throw new ArgumentException($"{s.Path}: sample is {s.Image.Width}x{s.Image.Height}, expected {spec.Width}x{spec.Height}", nameof(samples));
        _samples = samples;
        _spec = spec;
        _augmenter = augmenter;
        if (augmenter is null) _all = Stack(Enumerable.Range(0, samples.Count).ToList(), null).DetachFromDisposeScope();
    }

    public int Count => _samples.Count;
    public Sample this[int index] => _samples[index];

    /// <summary>The batch of the given sample indices; created in the caller's dispose scope.</summary>
    public Tensor Get(IReadOnlyList<int> indices, Random? augmentation)
    {
        if (_all is not null) return _all.index_select(0, tensor(indices.Select(i => (long)i).ToArray()));
        return Stack(indices, augmentation);
    }

    private Tensor Stack(IReadOnlyList<int> indices, Random? augmentation)
    {
        int size = _spec.Width * _spec.Height;
        var data = new float[indices.Count * size];
        // One seed per image, drawn in order, keeps augmentation independent of how Parallel.For schedules work.
        var seeds = indices.Select(_ => augmentation?.Next() ?? 0).ToArray();
        Parallel.For(0, indices.Count, i =>
        {
            var image = _samples[indices[i]].Image;
            if (_augmenter is not null && augmentation is not null) image = _augmenter.Apply(image, new Random(seeds[i]));
            Preprocessor.Normalize(image.Pixels, _spec, data.AsSpan(i * size, size));
        });
        return tensor(data, [indices.Count, 1, _spec.Height, _spec.Width]);
    }

    public void Dispose() => _all?.Dispose();
}
