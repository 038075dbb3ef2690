using System.Globalization;
using System.Text.Json.Serialization;
using OcrForge.Inference;

namespace OcrForge.Models;

/// <summary>What a model's output means: per-frame classes for CTC text lines, or one class per image.</summary>
public enum ModelTask { TextRecognition, Classification }

/// <summary>
/// A model architecture as plain data. Serialised into every model file (JSON, closed set of known families),
/// so loading a model never runs code from the file.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "family")]
[JsonDerivedType(typeof(CrnnConfig), "crnn")]
[JsonDerivedType(typeof(CnnConfig), "cnn")]
public abstract record ModelConfig
{
    public int InputHeight { get; init; }
    public int InputWidth { get; init; }

    [JsonIgnore] public abstract ModelTask Task { get; }
    [JsonIgnore] public abstract string Family { get; }

    /// <summary>Builds the network for <paramref name="classCount"/> outputs (charset + blank for CTC).</summary>
    public abstract OcrModule Build(int classCount);

    /// <summary>Returns a copy with one <c>key=value</c> override applied; unknown keys and bad values are one-line
    /// errors.</summary>
    public ModelConfig With(string key, string value) =>
        Apply(key, (Parameter(key) ?? throw UnknownKey(key)).Parse(value));

    /// <summary>A copy with the setting <paramref name="key"/> at <paramref name="value"/>, already parsed and
    /// validated by its <see cref="ModelParameter"/>.</summary>
    protected abstract ModelConfig Apply(string key, object value);

    /// <summary>The settings <see cref="With"/> accepts, in the order overrides are applied (derived settings
    /// after the ones they derive from).</summary>
    [JsonIgnore] public abstract IReadOnlyList<ModelParameter> Parameters { get; }

    /// <summary>The settings' names, for help text and error messages.</summary>
    [JsonIgnore] public IReadOnlyList<string> Keys => Parameters.Select(p => p.Name).ToList();

    public ModelParameter? Parameter(string key) => Parameters.FirstOrDefault(p => p.Name == key);

    protected OcrForgeException UnknownKey(string key) =>
        new($"--set {key}: unknown key for a {Family} model (known: {string.Join(", ", Keys)})");
}

/// <summary>Typed parsing of <c>--set</c> values with one-line errors that name the key.</summary>
internal static class OverrideValue
{
    public static int Int(string key, string v, int min = 0, int max = int.MaxValue) =>
        int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) && i >= min && i <= max ? i
            : throw new OcrForgeException(max == int.MaxValue
                ? $"--set {key}={v}: expected a whole number ≥ {min}"
                : $"--set {key}={v}: expected a whole number in [{min}, {max}]");

    public static double Double(string key, string v, double min = 0, double max = double.MaxValue) =>
        double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d >= min && d <= max ? d
            : throw new OcrForgeException($"--set {key}={v}: expected a number in [{min}, {max}]");

    public static bool Bool(string key, string v) => v.ToLowerInvariant() switch
    {
        "true" or "1" or "yes" or "on" => true,
        "false" or "0" or "no" or "off" => false,
        _ => throw new OcrForgeException($"--set {key}={v}: expected true or false"),
    };

    public static T Enum<T>(string key, string v) where T : struct, System.Enum =>
        System.Enum.TryParse<T>(v.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var e)
            && System.Enum.IsDefined(e) ? e
            : throw new OcrForgeException($"--set {key}={v}: expected one of "
                + $"{string.Join(", ", System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}");

    public static int[] IntList(string key, string v, int min = 1) =>
        v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => Int(key, s, min))
            .ToArray();

    public static double[] DoubleList(string key, string v, double min = 0, double max = double.MaxValue) =>
        v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => Double(key, s, min, max))
            .ToArray();

    /// <summary>Pool sizes as <c>2x2,2x1,1x1</c> (height × width).</summary>
    public static PoolSize[] PoolList(string key, string v) =>
        v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(p =>
        {
            var parts = p.Split('x');
            return parts.Length == 2 ? new PoolSize(Int(key, parts[0], 1), Int(key, parts[1], 1))
                : throw new OcrForgeException($"--set {key}={v}: expected pool sizes like 2x2,2x1");
        }).ToArray();
}

/// <summary>A pooling window, height × width; 1×1 means no pooling.</summary>
public sealed record PoolSize(int Height, int Width)
{
    public override string ToString() => $"{Height}x{Width}";
}

public enum Activation { Relu, LeakyRelu }
public enum RnnKind { Lstm, Gru }
