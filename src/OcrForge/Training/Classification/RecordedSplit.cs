using System.Globalization;
using OcrForge.Inference;
using OcrForge.IO;

namespace OcrForge.Training.Classification;

/// <summary>
/// The parts of a folder a classifier was trained on, recomputed from what its model file records: the run
/// specification's split (<see cref="RunSpecification.Split"/>) when the file stores one, else the seed and fractions
/// among its training facts (<c>ocrforge.training</c>, also what an exported ONNX file carries). Eval scores the
/// held-out test part, quantize calibrates on the training part, and neither needs the folders split on disk.
/// </summary>
public static class RecordedSplit
{
    public static readonly string[] Names = ["all", "train", "validation", "test"];

    /// <summary>True when the training facts record the split of the run.</summary>
    public static bool IsRecorded(IReadOnlyDictionary<string, string> training) =>
        training.ContainsKey("seed") && training.ContainsKey("validation_fraction")
            && training.ContainsKey("test_fraction");

    /// <summary>True when the model file records the split of its training run, in its specification or its
    /// facts.</summary>
    public static bool IsRecorded(ModelManifest manifest) => manifest.Run is not null || IsRecorded(manifest.Training);

    /// <summary>The split a model file records: its run specification's, else its facts'; null when neither has
    /// one.</summary>
    public static SplitSettings? Settings(RunSpecification? run, IReadOnlyDictionary<string, string> training)
    {
        if (run is not null) return run.Split;
        if (!IsRecorded(training)) return null;
        double Number(string key) => double.Parse(training[key], CultureInfo.InvariantCulture);
        double labeled = training.ContainsKey("labeled_fraction") ? Number("labeled_fraction") : 1.0;
        return new SplitSettings(Number("validation_fraction"), Number("test_fraction"), labeled,
            (int)Number(training.ContainsKey("split_seed") ? "split_seed" : "seed"));
    }

    /// <param name="images">The folder's images in the order <see cref="CharacterData.Load"/> gives, as at
    /// training.</param>
    /// <param name="split">all, train, validation or test.</param>
    /// <param name="training">The facts of an engine's model (an <c>.onnx</c> carries only those).</param>
    /// <param name="modelPath">Named in the error when the model records no split; an <c>.ocrf</c> file's own run
    /// specification comes first.</param>
    public static IReadOnlyList<LabeledImage> Select(IReadOnlyList<LabeledImage> images, Charset charset, string split,
        IReadOnlyDictionary<string, string> training, string modelPath)
    {
        if (!Names.Contains(split))
            throw new OcrForgeException($"--split {split}: expected {string.Join(", ", Names)}");
        if (split == "all") return images;
        var parts = Recompute(images, charset, Settings(StoredRun(modelPath), training), modelPath, labeledOnly: false);
        return split switch { "train" => parts.Train, "validation" => parts.Validation, _ => parts.Test };
    }

    /// <summary>The part <paramref name="split"/> of a trained model's split of <paramref name="images"/>.</summary>
    public static IReadOnlyList<LabeledImage> Select(IReadOnlyList<LabeledImage> images, TrainedModel model,
        string split, string modelPath)
    {
        if (!Names.Contains(split))
            throw new OcrForgeException($"--split {split}: expected {string.Join(", ", Names)}");
        if (split == "all") return images;
        var parts = Recompute(images, model.Charset, Settings(model.Manifest.Run, model.Manifest.Training), modelPath,
            labeledOnly: false);
        return split switch { "train" => parts.Train, "validation" => parts.Validation, _ => parts.Test };
    }

    /// <param name="labeledOnly">
    /// True: the training part keeps only the labelled fraction the run trained with (what fine-tuning may use);
    /// false: the whole training part (its images, e.g. for calibration).
    /// </param>
    public static CharacterSplit Recompute(IReadOnlyList<LabeledImage> images, Charset charset, SplitSettings? settings,
        string modelPath, bool labeledOnly)
    {
        var s = settings ?? throw new OcrForgeException(
            $"{modelPath}: the model file does not record its training split; use --split all");
        return CharacterData.Split(charset, images, s.ValidationFraction, s.TestFraction, s.Seed,
            labeledOnly ? s.LabeledFraction : 1.0);
    }

    /// <summary>The run specification of an <c>.ocrf</c> file, or null (an ONNX file, or a file from before it was
    /// stored).</summary>
    private static RunSpecification? StoredRun(string modelPath) =>
        modelPath.EndsWith(ModelFile.Extension, StringComparison.OrdinalIgnoreCase) && File.Exists(modelPath)
            ? ModelFile.ReadManifest(modelPath).Run
            : null;
}
