using System.Globalization;
using OcrForge.Inference;

namespace OcrForge.Training.Classification;

/// <summary>
/// The parts of a folder a classifier was trained on, recomputed from the seed and fractions its model file records
/// (<c>ocrforge.training</c>): eval scores the held-out test part, quantize calibrates on the training part, and
/// neither needs the folders split on disk.
/// </summary>
public static class RecordedSplit
{
    public static readonly string[] Names = ["all", "train", "validation", "test"];

    /// <summary>True when the model file records the split of its training run.</summary>
    public static bool IsRecorded(IReadOnlyDictionary<string, string> training) =>
        training.ContainsKey("seed") && training.ContainsKey("validation_fraction") && training.ContainsKey("test_fraction");

    /// <param name="images">The folder's images in the order <see cref="CharacterData.Load"/> gives, as at training.</param>
    /// <param name="split">all, train, validation or test.</param>
    /// <param name="modelPath">Named in the error when the model records no split.</param>
    public static IReadOnlyList<LabeledImage> Select(IReadOnlyList<LabeledImage> images, Charset charset, string split,
        IReadOnlyDictionary<string, string> training, string modelPath)
    {
        if (!Names.Contains(split)) throw new OcrForgeException($"--split {split}: expected {string.Join(", ", Names)}");
        if (split == "all") return images;
        var parts = Recompute(images, charset, training, modelPath, labeledOnly: false);
        return split switch { "train" => parts.Train, "validation" => parts.Validation, _ => parts.Test };
    }

    /// <param name="labeledOnly">
    /// True: the training part keeps only the labelled fraction the run trained with (what fine-tuning may use);
    /// false: the whole training part (its images, e.g. for calibration).
    /// </param>
    public static CharacterSplit Recompute(IReadOnlyList<LabeledImage> images, Charset charset, IReadOnlyDictionary<string, string> training,
        string modelPath, bool labeledOnly)
    {
        double Number(string key) => training.TryGetValue(key, out var v) && double.TryParse(v, CultureInfo.InvariantCulture, out var d) ? d
            : throw new OcrForgeException($"{modelPath}: the model file does not record its training split ({key}); use --split all");
        double labeled = labeledOnly && training.ContainsKey("labeled_fraction") ? Number("labeled_fraction") : 1.0;
        return CharacterData.Split(charset, images, Number("validation_fraction"), Number("test_fraction"), (int)Number("seed"), labeled);
    }
}
