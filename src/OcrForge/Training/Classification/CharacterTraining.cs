using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using OcrForge.IO;
using OcrForge.Models;
using OcrForge.Runtime;
using OcrForge.Training.SemiSupervised;

namespace OcrForge.Training.Classification;

/// <summary>Everything `ocrforge train classify` asks for, as data.</summary>
public sealed record CharacterTrainingRequest
{
    public required string Data { get; init; }
    public DatasetFormat Format { get; init; } = DatasetFormat.Auto;
    public string Preset { get; init; } = DefaultPreset;
    public IReadOnlyList<KeyValuePair<string, string>> Overrides { get; init; } = [];
    public ClassifierTrainingOptions Training { get; init; } = new();
    public ResizeMode Resize { get; init; } = ResizeMode.Pad;
    public bool AutoContrast { get; init; } = true;
    public double ValidationFraction { get; init; } = 0.1;
    public double TestFraction { get; init; } = 0.15;
    /// <summary>Fraction of the training split whose labels are used; the rest is unlabelled (SGAN) or unused.</summary>
    public double LabeledFraction { get; init; } = 1.0;
    /// <summary>Train a semi-supervised GAN; its discriminator's K-class head is the saved classifier.</summary>
    public SganOptions? SemiSupervised { get; init; }
    /// <summary>Extra unlabelled images (any layout; their labels, if any, are ignored).</summary>
    public string? UnlabeledData { get; init; }

    public const string DefaultPreset = "chars74k-resnet";
}

/// <summary>What a training run produced: the model (best validation epoch) and its held-out test metrics.</summary>
public sealed record CharacterTrainingResult(TrainedModel Model, IReadOnlyList<EpochReport> History, ClassificationMetrics Test,
    int TrainCount, int UnlabeledCount, int ValidationCount, IReadOnlyList<DataProblem> Problems);

/// <summary>The flow behind `ocrforge train classify`: load, split, train (supervised or SGAN), test, describe.</summary>
public static class CharacterTraining
{
    public static CharacterTrainingResult Run(CharacterTrainingRequest request, IProgress<EpochReport>? progress = null,
        IProgress<string>? log = null, Action<int, IReadOnlyList<Inference.Imaging.GrayImage>>? onGeneratedSamples = null,
        CancellationToken cancellationToken = default)
    {
        TorchRuntime.Seed(request.Training.Seed);
        var config = ModelRegistry.Create(request.Preset, request.Overrides);
        if (config is not CnnConfig cnnConfig)
            throw new OcrForgeException($"--preset {request.Preset}: a text-recognition preset; train classify needs a classification preset ({string.Join(", ", ModelRegistry.All.Where(p => p.Task == ModelTask.Classification).Select(p => p.Name))})");
        var spec = new PreprocessSpec(config.InputWidth, config.InputHeight, Mean: 0.5f, Std: 0.5f, Resize: request.Resize, AutoContrast: request.AutoContrast);

        var (charset, images, problems) = CharacterData.Load(request.Data, request.Format, spec);
        log?.Report($"{images.Count} images, {charset.Symbols.Count} classes from {request.Data}");
        var split = CharacterData.Split(charset, images, request.ValidationFraction, request.TestFraction, request.Training.Seed, request.LabeledFraction);
        var unlabeled = split.Unlabeled;
        var recipe = request.Training;
        // With hidden labels an epoch still covers the whole training split, so the supervised baseline on the
        // labelled fraction and the SGAN take the same number of steps ("same epochs budget").
        if (request.LabeledFraction < 1 && recipe.SamplesPerEpoch is null)
            recipe = recipe with { SamplesPerEpoch = split.Train.Count + split.Unlabeled.Count };
        if (request.UnlabeledData is not null)
        {
            var extra = DatasetDecoder.Decode(DatasetReader.Read(request.UnlabeledData, DatasetFormat.Auto));
            unlabeled = [.. unlabeled, .. extra.Samples.Select(s => Preprocessor.Prepare(s.Image, spec))];
        }
        log?.Report($"split: {split.Train.Count} labelled, {unlabeled.Count} unlabelled, {split.Validation.Count} validation, {split.Test.Count} test");

        var training = new Dictionary<string, string>
        {
            ["preset"] = request.Preset,
            ["data"] = request.Data,
            ["seed"] = request.Training.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["epochs"] = request.Training.Epochs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["validation_fraction"] = request.ValidationFraction.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["test_fraction"] = request.TestFraction.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["labeled_fraction"] = request.LabeledFraction.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["semi_supervised"] = (request.SemiSupervised is not null).ToString().ToLowerInvariant(),
        };
        var model = TrainedModel.Create(cnnConfig, charset, spec, training);
        try
        {
            var cnn = (Cnn)model.Module;
            IReadOnlyList<EpochReport> history;
            if (request.SemiSupervised is { } sgan)
            {
                if (unlabeled.Count == 0) throw new OcrForgeException("--semi-supervised needs unlabelled images: pass --labeled-fraction below 1 or --unlabeled DIR");
                history = new SganTrainer(recipe, sgan).Train(cnn, spec, split.Train, unlabeled, split.Validation, progress, onGeneratedSamples, cancellationToken);
            }
            else
            {
                history = new ClassifierTrainer(recipe).Train(cnn, spec, split.Train, split.Validation, progress, cancellationToken);
            }
            var test = new ClassificationMetrics(charset.Symbols);
            ClassifierTrainer.Score(cnn, spec, split.Test, test);
            training["test_accuracy"] = test.Accuracy.ToString("F4", System.Globalization.CultureInfo.InvariantCulture);
            training["test_samples"] = test.Samples.ToString(System.Globalization.CultureInfo.InvariantCulture);
            training["trained_at"] = DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            return new CharacterTrainingResult(model, history, test, split.Train.Count, unlabeled.Count, split.Validation.Count, problems);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
