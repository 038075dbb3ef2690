using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using OcrForge.Models;
using OcrForge.Training;
using TorchSharp;

namespace OcrForge.IO;

/// <summary>
/// Everything needed to use a trained model besides its weights: architecture, charset (blank at class 0 for CTC),
/// input size and preprocessing, and how it was trained. Stored as <c>model.json</c> inside the <c>.ocrf</c> file.
/// </summary>
public sealed record ModelManifest
{
    public const string FormatName = "ocrforge-model";
    public const int CurrentVersion = 1;

    public string Format { get; init; } = FormatName;
    public int Version { get; init; } = CurrentVersion;
    public required ModelConfig Config { get; init; }
    public required string[] Charset { get; init; }
    /// <summary>True for CTC models: class 0 is the blank and symbol i is class i + 1.</summary>
    public required bool HasBlank { get; init; }
    public int BlankIndex => HasBlank ? Inference.Charset.BlankIndex : -1;
    public required PreprocessSpec Preprocess { get; init; }
    /// <summary>Free-form facts about training: preset, seed, epochs, metrics, dates, data source.</summary>
    public Dictionary<string, string> Training { get; init; } = [];
    /// <summary>
    /// The run that trained the model, whole (data, split, preset, options, recipe); null in files written before it
    /// was stored, for which <see cref="Training"/>'s facts are all there is.
    /// </summary>
    public RunSpecification? Run { get; set; }

    [JsonIgnore] public ModelTask Task => Config.Task;
    public Charset CreateCharset() => new(Charset, HasBlank);
}

/// <summary>A model ready to run or train further: its manifest and its network.</summary>
public sealed class TrainedModel(ModelManifest manifest, OcrModule module) : IDisposable
{
    public ModelManifest Manifest { get; } = manifest;
    public OcrModule Module { get; } = module;
    public Charset Charset { get; } = manifest.CreateCharset();

    /// <summary>A fresh, randomly initialised model for a config and charset.</summary>
    public static TrainedModel Create(ModelConfig config, Charset charset, PreprocessSpec preprocess,
        Dictionary<string, string>? training = null)
    {
        var manifest = new ModelManifest
        {
            Config = config,
            Charset = [.. charset.Symbols],
            HasBlank = charset.HasBlank,
            Preprocess = preprocess,
            Training = training ?? [],
        };
        return new TrainedModel(manifest, config.Build(charset.ClassCount));
    }

    public void Save(string path) => ModelFile.Save(path, Manifest, Module);
    public static TrainedModel Load(string path) => ModelFile.Load(path);

    public void Dispose() => Module.Dispose();
}

/// <summary>
/// The <c>.ocrf</c> container: a zip with <c>model.json</c> (the manifest) and <c>weights.bin</c> (TorchSharp's
/// tensor format: names, shapes, raw numbers). Loading parses JSON into a closed set of config types and reads
/// tensors; nothing in the file is executed.
/// </summary>
public static class ModelFile
{
    public const string Extension = ".ocrf";
    private const string ManifestEntry = "model.json";
    private const string WeightsEntry = "weights.bin";

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static void Save(string path, ModelManifest manifest, torch.nn.Module module)
    {
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            using (var entry = zip.CreateEntry(ManifestEntry, CompressionLevel.Optimal).Open())
                JsonSerializer.Serialize(entry, manifest, Json);
            using (var entry = zip.CreateEntry(WeightsEntry, CompressionLevel.Fastest).Open())
            using (var writer = new BinaryWriter(entry))
                module.save(writer);
        });
    }

    public static ModelManifest ReadManifest(string path)
    {
        using var zip = OpenZip(path);
        return ReadManifest(zip, path);
    }

    public static TrainedModel Load(string path)
    {
        using var zip = OpenZip(path);
        var manifest = ReadManifest(zip, path);
        var charset = manifest.CreateCharset();
        var module = manifest.Config.Build(charset.ClassCount);
        var weights = zip.GetEntry(WeightsEntry) ?? throw new OcrForgeException($"{path}: model file has no weights");
        try
        {
            using var stream = new MemoryStream();
            using (var entry = weights.Open()) entry.CopyTo(stream);
            stream.Position = 0;
            using var reader = new BinaryReader(stream);
            module.load(reader, strict: true);
        }
        catch (Exception e) when (e is not OcrForgeException)
        {
            module.Dispose();
            throw new OcrForgeException($"{path}: weights do not match the model's architecture ({e.Message})", e);
        }
        module.eval();
        return new TrainedModel(manifest, module);
    }

    private static ZipArchive OpenZip(string path)
    {
        if (!File.Exists(path)) throw new OcrForgeException($"{path}: no such model file");
        try
        {
            return new ZipArchive(File.OpenRead(path), ZipArchiveMode.Read);
        }
        catch (InvalidDataException)
        {
            var hint = Path.GetExtension(path).Equals(".onnx", StringComparison.OrdinalIgnoreCase)
                ? " (an ONNX file, which runs with --engine onnx; export and quantize need the trained .ocrf)"
                : "";
            throw new OcrForgeException($"{path}: not an OcrForge model file{hint}");
        }
    }

    private static ModelManifest ReadManifest(ZipArchive zip, string path)
    {
        var entry = zip.GetEntry(ManifestEntry)
            ?? throw new OcrForgeException($"{path}: not an OcrForge model file (no {ManifestEntry})");
        ModelManifest? manifest;
        try
        {
            using var s = entry.Open();
            manifest = JsonSerializer.Deserialize<ModelManifest>(s, Json);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidDataException)
        {
            throw new OcrForgeException($"{path}: damaged model description ({FirstLine(e.Message)})", e);
        }
        if (manifest is null || manifest.Format != ModelManifest.FormatName)
            throw new OcrForgeException($"{path}: not an OcrForge model file");
        if (manifest.Version > ModelManifest.CurrentVersion)
            throw new OcrForgeException($"{path}: model file version {manifest.Version} is newer than this OcrForge "
                + $"understands ({ModelManifest.CurrentVersion})");
        return manifest;
    }

    private static string FirstLine(string s) => s.Split('\n')[0];
}
