using OcrForge.Data;
using OcrForge.Inference.Imaging;
using static TorchSharp.torch;

namespace OcrForge.Training.Classification;

/// <summary>
/// Turns prepared images into input tensors [N, 1, H, W], optionally augmented. The augmentation of the image at
/// position p of epoch e is drawn from a generator seeded by (seed, e, p), so batches are reproducible and can be
/// built in parallel.
/// </summary>
public sealed class ImageBatches(PreprocessSpec spec, Augmenter? augmenter, int seed)
{
    public PreprocessSpec Spec { get; } = spec;

    public Tensor Inputs(IReadOnlyList<GrayImage> images, int epoch = 0, int firstPosition = 0)
    {
        int size = Spec.Width * Spec.Height;
        var data = new float[images.Count * size];
        Parallel.For(0, images.Count, i =>
        {
            var image = images[i];
            if (augmenter is not null)
                image = augmenter.Apply(image, new Random(DrawSeed(epoch, firstPosition + i)));
            Preprocessor.Normalize(image.Pixels, Spec, data.AsSpan(i * size, size));
        });
        return tensor(data, [images.Count, 1, Spec.Height, Spec.Width]);
    }

    // HashCode.Combine is randomised per process; this mix is fixed, so runs repeat.
    private int DrawSeed(int epoch, int position) => unchecked(seed * 1_000_003 + epoch * 65_537 + position);

    public static Tensor Targets(IEnumerable<int> classes) => tensor(classes.Select(c => (long)c).ToArray());
}
