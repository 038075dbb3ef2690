using System.CommandLine;
using OcrForge.Data;
using OcrForge.Inference;

namespace OcrForge.Cli.Commands;

/// <summary>
/// The one definition of every option that several commands take, so that the same spelling means the same thing
/// everywhere: <c>--model/-m</c>, <c>--data</c>, <c>--format</c> (the dataset layout), <c>--out/-o</c>,
/// <c>--seed</c> (42 unless given), <c>--json</c> and <c>--threads</c>. A command words the description for what the
/// option does there; name, alias, type and default come from here.
/// </summary>
public static class SharedOptions
{
    public const int DefaultSeed = 42;

    public static Option<string> Model(string description = "Model file (.ocrf or .onnx).") =>
        new("--model", "-m") { Description = description, Required = true };

    /// <summary><c>--model</c> taking several files (bench, compare, serve): <c>-m a.onnx b.onnx</c>.</summary>
    public static Option<string[]> Models(string description, bool severalPerToken = true) =>
        new("--model", "-m")
        {
            Description = description, Required = true, AllowMultipleArgumentsPerToken = severalPerToken,
        };

    /// <param name="required">False where another source may name the data (train's --spec).</param>
    public static Option<string> Data(string description = "Labelled dataset folder (or .csv manifest).",
        bool required = true) => new("--data") { Description = description, Required = required };

    /// <summary>
    /// <c>--data</c> where it may be left out (tune, data show with its deprecated positional folder).
    /// </summary>
    public static Option<string?> OptionalData(string description) => new("--data") { Description = description };

    public static Option<DatasetFormat> Format() => new("--format")
    {
        Description = "Dataset layout (auto detects it from the folder's shape).",
        HelpName = "auto|filename|chars74k|folders|csv",
        DefaultValueFactory = _ => DatasetFormat.Auto,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "auto";
            if (Enum.TryParse<DatasetFormat>(text, ignoreCase: true, out var format) && !int.TryParse(text, out _))
                return format;
            result.AddError($"--format {text}: expected auto, filename, chars74k, folders or csv");
            return DatasetFormat.Auto;
        },
    };

    /// <summary><c>--out</c>: required, unless the command has a default file name.</summary>
    public static Option<string> Out(string description, string? defaultPath = null) => defaultPath is null
        ? new("--out", "-o") { Description = description, Required = true }
        : new("--out", "-o") { Description = description, DefaultValueFactory = _ => defaultPath };

    public static Option<string?> OptionalOut(string description) => new("--out", "-o") { Description = description };

    public static Option<int> Seed(string description) =>
        new("--seed") { Description = description, DefaultValueFactory = _ => DefaultSeed };

    public static Option<bool> Json(string description = "Print the result as one JSON document (docs/cli-json.md).") =>
        new("--json") { Description = description };

    /// <summary>Refused below 1 at parsing, for every command alike (libtorch aborts the process on 0).</summary>
    public static Option<int?> Threads(string description = "Threads (default: all cores).")
    {
        var option = new Option<int?>("--threads") { Description = description };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1 and var n)
                result.AddError($"--threads {n}: expected at least 1");
        });
        return option;
    }

    /// <summary>
    /// The one-line warning for a spelling that still works for one release. On stderr, so a --json document on
    /// stdout stays parseable.
    /// </summary>
    public static void WarnDeprecated(string old, string replacement) =>
        Cli.Warn($"{old} is deprecated and will be removed in the next release; use {replacement}");
}
