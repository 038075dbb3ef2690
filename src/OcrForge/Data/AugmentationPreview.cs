namespace OcrForge.Data;

/// <summary>
/// What training's augmentation makes of a few samples, to see what a model will see (<c>data show --augment</c>).
/// </summary>
public static class AugmentationPreview
{
    /// <summary>
    /// The augmentation training applies to this kind of data: characters for one-label-per-image sets (train
    /// classify), text lines for text labels (train ctc).
    /// </summary>
    public static AugmentOptions For(bool classification) =>
        classification ? AugmentOptions.Characters : AugmentOptions.TextLines;

    /// <summary>
    /// The samples augmented in order from one seeded generator: the same seed draws the same images.
    /// </summary>
    public static IReadOnlyList<Sample> Apply(IReadOnlyList<Sample> samples, AugmentOptions options, int seed)
    {
        var rng = new Random(seed);
        var augmenter = new Augmenter(options);
        return [.. samples.Select(s => s with { Image = augmenter.Apply(s.Image, rng) })];
    }
}
