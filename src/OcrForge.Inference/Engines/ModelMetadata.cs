using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using OcrForge.Inference.Imaging;

namespace OcrForge.Inference.Engines;

/// <summary>
/// The keys an exported ONNX file carries in metadata_props, so that the file alone is enough to predict: task,
/// charset (JSON array), blank index (−1 for classifiers), input size and the whole preprocessing spec (JSON).
/// Written by the exporter, read back by <see cref="OnnxEngine"/>.
/// </summary>
public static class ModelMetadata
{
    public const string Task = "ocrforge.task";
    public const string Charset = "ocrforge.charset";
    public const string BlankIndex = "ocrforge.blank_index";
    public const string InputSize = "ocrforge.input_size";
    public const string Preprocess = "ocrforge.preprocess";
    /// <summary>Optional: the training facts of the source model (JSON object of strings).</summary>
    public const string Training = "ocrforge.training";
    /// <summary>Optional: the run specification the source model was trained with (JSON object, as the
    /// <c>.ocrf</c> manifest's <c>run</c>), so that the ONNX file alone says how to repeat or re-split its
    /// run.</summary>
    public const string RunSpecification = "ocrforge.run_specification";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static Dictionary<string, string> Write(ModelInfo info) => WithRun(info, new()
    {
        [Task] = info.Task == OcrTask.TextRecognition ? "text_recognition" : "classification",
        [Charset] = JsonSerializer.Serialize(info.Charset.Symbols, Json),
        [BlankIndex] =
            (info.Charset.HasBlank ? Inference.Charset.BlankIndex : -1).ToString(CultureInfo.InvariantCulture),
        [InputSize] = $"{info.Preprocess.Width}x{info.Preprocess.Height}",
        [Preprocess] = JsonSerializer.Serialize(info.Preprocess, Json),
        [Training] = JsonSerializer.Serialize(info.Training, Json),
    });

    private static Dictionary<string, string> WithRun(ModelInfo info, Dictionary<string, string> metadata)
    {
        if (info.RunSpecification is { } run) metadata[RunSpecification] = run;
        return metadata;
    }

    /// <summary>Reads the metadata back; <paramref name="source"/> names the file in one-line errors.</summary>
    public static ModelInfo Read(IReadOnlyDictionary<string, string> metadata, string source)
    {
        string Get(string key) => metadata.TryGetValue(key, out var v) ? v
            : throw new OcrForgeException(
                $"{source}: ONNX file lacks OcrForge metadata '{key}' (export it with 'ocrforge export')");
        try
        {
            var task = Get(Task) switch
            {
                "text_recognition" => OcrTask.TextRecognition,
                "classification" => OcrTask.Classification,
                var t => throw new OcrForgeException($"{source}: unknown task '{t}' in metadata"),
            };
            var symbols = JsonSerializer.Deserialize<string[]>(Get(Charset), Json) ?? [];
            int blank = int.Parse(Get(BlankIndex), CultureInfo.InvariantCulture);
            var preprocess = JsonSerializer.Deserialize<PreprocessSpec>(Get(Preprocess), Json)
                ?? throw new OcrForgeException($"{source}: empty preprocessing metadata");
            var training = metadata.TryGetValue(Training, out var facts)
                ? JsonSerializer.Deserialize<Dictionary<string, string>>(facts, Json)
                : null;
            return new ModelInfo(task, new Charset(symbols, hasBlank: blank >= 0), preprocess, training)
            {
                RunSpecification = ReadRun(metadata, source),
            };
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
        {
            throw new OcrForgeException($"{source}: damaged OcrForge metadata ({e.Message})", e);
        }
    }

    /// <summary>The run specification's JSON text; it must be a JSON object (its meaning is the training
    /// library's).</summary>
    private static string? ReadRun(IReadOnlyDictionary<string, string> metadata, string source)
    {
        if (!metadata.TryGetValue(RunSpecification, out var run)) return null;
        using var document = JsonDocument.Parse(run);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
            throw new OcrForgeException(
                $"{source}: damaged OcrForge metadata ('{RunSpecification}' is not a JSON object)");
        return run;
    }
}
