using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using OcrForge.IO;
using OcrForge.Models;
using OcrForge.Training;
using OcrForge.Training.Classification;

namespace OcrForge.Compression.Quantization;

/// <summary>
/// The images a quantization calibrates on, in a seeded order (<see cref="Int8Quantizer"/>.CalibrationImages), where
/// they came from (for the report), and the files skipped while reading them.
/// </summary>
public sealed record CalibrationSet(GrayImage[] Images, string From, IReadOnlyList<DataProblem> Problems)
{
    /// <summary>
    /// The split part calibrated on when none is asked for. A classifier trained by OcrForge records its split and
    /// calibrates on its training part only: when the data is the folder it was trained on, the held-out test images
    /// then stay unseen by every step, calibration included (labels are never used, but activation ranges are still
    /// fitted to the images). Other models calibrate on all of the data. Unlike eval and compare (default all), on
    /// purpose.
    /// </summary>
    public static string DefaultSplit(ModelManifest manifest) =>
        manifest.Task == ModelTask.Classification && RecordedSplit.IsRecorded(manifest) ? "train" : "all";

    /// <param name="split">all, train, validation or test (text models: all, train, validation); null = <see
    /// cref="DefaultSplit"/>.</param>
    public static CalibrationSet Load(TrainedModel trained, string modelPath, string data, DatasetFormat format,
        string? split, int seed)
    {
        split ??= DefaultSplit(trained.Manifest);
        if (split == "all")
        {
            var spec = trained.Manifest.Preprocess;
            var dataset = DatasetReader.Read(data, format);
            var decoded = spec.VariableWidth ? DatasetDecoder.Decode(dataset, spec)
                : DatasetDecoder.Decode(dataset, spec.Width, spec.Height);
            return new(Int8Quantizer.CalibrationImages(decoded.Samples.Select(s => s.Image), seed), $"all of {data}",
                decoded.Problems);
        }
        if (trained.Manifest.Task != ModelTask.Classification)
            return TextPart(trained, modelPath, data, format, split, seed);
        var (_, images, problems) = CharacterData.Load(data, format, spec: null, trained.Charset);
        var part = RecordedSplit.Select(images, trained, split, modelPath);
        return new(Int8Quantizer.CalibrationImages(part.Select(i => i.Image), seed), PartOf(split, data), problems);
    }

    /// <summary>A text model's part of its run's split (train or validation; CTC runs hold out no test part), from
    /// the run specification its file stores.</summary>
    private static CalibrationSet TextPart(TrainedModel trained, string modelPath, string data, DatasetFormat format,
        string split, int seed)
    {
        if (split is not ("train" or "validation"))
            throw new OcrForgeException($"--split {split}: a text model's run has a train and a validation part; " +
                "expected all, train or validation");
        var run = trained.Manifest.Run ?? throw new OcrForgeException(
            $"{modelPath}: the model file does not record its training run (written before run specifications); " +
            "use --split all and a folder of training images");
        if (format == DatasetFormat.Auto) format = run.Data.Format;
        var (train, validation, problems) = CtcTraining.RecordedSplit(trained, data, format, run.Training, modelPath);
        var part = split == "train" ? train : validation;
        return new(Int8Quantizer.CalibrationImages(part.Select(s => s.Image), seed), PartOf(split, data), problems);
    }

    private static string PartOf(string split, string data) => $"the {split} part of {data}'s split";
}
