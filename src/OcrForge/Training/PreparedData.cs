using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using OcrForge.Models;
using OcrForge.Training.Classification;

namespace OcrForge.Training;

/// <summary>
/// Everything that changes prepared data: the images (folder, layout), how they are decoded (the input size and
/// resize, before standardisation), which labels count (a CTC run's <c>--charset</c>) and the split (fractions and
/// seed). Runs with equal keys can share one prepared value (<see cref="DataCache"/>).
/// </summary>
public sealed record DataKey
{
    public DataKey(string path, DatasetFormat format, PreprocessSpec input, SplitSettings split, string? charset = null)
    {
        // Two spellings of one folder are one data set.
        Path = System.IO.Path.GetFullPath(path);
        Source = path;
        Format = format;
        Input = input;
        Split = split;
        Charset = charset;
    }

    public string Path { get; }
    public DatasetFormat Format { get; }
    public PreprocessSpec Input { get; }
    public SplitSettings Split { get; }
    public string? Charset { get; }

    /// <summary>The folder as the caller named it, for messages; not part of the key.</summary>
    public string Source { get; }

    public bool Equals(DataKey? other) => other is not null && Path == other.Path && Format == other.Format
        && Input == other.Input && Split == other.Split && Charset == other.Charset;

    public override int GetHashCode() => HashCode.Combine(Path, Format, Input, Split, Charset);

    /// <summary>A CTC run's data: decoded at the config's input, its charset, its split.</summary>
    public static DataKey Text(RunSpecification spec, CrnnConfig config) =>
        new(spec.Data.Path, spec.Data.Format, config.Input, spec.Split, spec.Data.Charset);

    /// <summary>A classifier run's data: prepared as inference will (resize, auto-contrast), its split.</summary>
    public static DataKey Characters(RunSpecification spec, CnnConfig config)
    {
        var recipe = spec.Classifier ?? new ClassifierRecipe();
        return new(spec.Data.Path, spec.Data.Format, CharacterTraining.Spec(config, recipe.Resize, recipe.AutoContrast),
            spec.Split);
    }
}

/// <summary>
/// The one place where a folder of labelled images becomes training data: read, decode once into memory, leave out
/// what cannot be trained on (reported), split (seeded), standardise. Training, cross-validation, tuning trials,
/// pruning and the training benchmark all come through here, so they see the same images in the same parts.
/// </summary>
public static class PreparedData
{
    /// <summary>
    /// Text lines for a CTC model: decoded at <see cref="DataKey.Input"/>, labels outside <see cref="DataKey.Charset"/>
    /// and (at variable width) images too narrow for their label reported and skipped, split, and standardised with
    /// the training part's pixel statistics.
    /// </summary>
    public static CtcData Text(DataKey key, CrnnConfig config, CancellationToken cancellationToken = default)
    {
        if (config.Input != key.Input) throw new ArgumentException("the key is for another input", nameof(key));
        var only = key.Charset is { } symbols ? CtcTraining.ParseCharset(symbols) : null;
        var (samples, problems) = TextSamples(key, config, only, cancellationToken);
        var charset = only ?? Charset.FromLabels(samples.Select(s => s.Label), hasBlank: true);
        CtcTraining.CheckLabelsFit(samples, config, key.Source);
        var (train, validation) = CtcTraining.Split(samples, key.Split, key.Source);
        return new CtcData(key.Source, train, validation, charset, CtcTraining.Standardize(train, config), problems);
    }

    /// <summary>
    /// The images and labels of a text data set, decoded at <see cref="DataKey.Input"/>, before the split: those
    /// whose label has a symbol outside <paramref name="only"/>, and at variable width those too narrow for their
    /// label (<paramref name="config"/>), reported and left out.
    /// </summary>
    public static (List<Sample> Samples, IReadOnlyList<DataProblem> Problems) TextSamples(DataKey key,
        CrnnConfig? config, Charset? only, CancellationToken cancellationToken = default)
    {
        var dataset = DatasetReader.Read(key.Source, key.Format);
        var decoded = key.Input.VariableWidth
            ? DatasetDecoder.Decode(dataset, key.Input, cancellationToken: cancellationToken)
            : DatasetDecoder.Decode(dataset, key.Input.Width, key.Input.Height, cancellationToken: cancellationToken);
        var samples = decoded.Samples.ToList();
        var problems = decoded.Problems;
        if (only is not null)
        {
            var outside = samples.Where(s => !s.Label.EnumerateSymbols().All(only.Contains)).ToList();
            problems = [.. problems, .. outside.Select(s => new DataProblem(s.Path, $"label '{s.Label}' has " +
                $"'{s.Label.EnumerateSymbols().First(c => !only.Contains(c))}', which is not in --charset"))];
            samples = samples.Where(s => s.Label.EnumerateSymbols().All(only.Contains)).ToList();
            if (samples.Count == 0)
                throw new OcrForgeException($"{key.Source}: no label is written in --charset {only}");
        }
        if (key.Input.VariableWidth && config is not null)
        {
            // One narrow image with a long label is a data problem like an unreadable file: reported and skipped,
            // not a reason to stop a run over thousands of words.
            var tooLong = samples.Where(s => !CtcTraining.Fits(s, config)).ToList();
            problems = [.. problems,
                .. tooLong.Select(s => new DataProblem(s.Path, CtcTraining.LabelTooLong(s, config)))];
            samples = samples.Where(s => CtcTraining.Fits(s, config)).ToList();
            if (samples.Count == 0)
                throw new OcrForgeException(
                    $"{key.Source}: no image has enough frames for its label ({problems[^1]})");
        }
        return (samples, problems);
    }

    /// <summary>
    /// Single characters for a classifier: decoded and prepared with <see cref="DataKey.Input"/> (the same code
    /// inference runs), labels mapped to <paramref name="charset"/> (by default the labels found, sorted; others
    /// reported and left out), split stratified and seeded, the labels of the training part beyond
    /// <see cref="SplitSettings.LabeledFraction"/> dropped.
    /// </summary>
    public static PreparedCharacters Characters(DataKey key, Charset? charset = null,
        CancellationToken cancellationToken = default)
    {
        var s = key.Split;
        if (s.TestFraction is < 0 or >= 0.5)
            throw new OcrForgeException($"--test-fraction {s.TestFraction}: expected a number in [0, 0.5)");
        var (classes, images, problems) = CharacterData.Load(key.Source, key.Format, key.Input, charset);
        cancellationToken.ThrowIfCancellationRequested();
        var split = CharacterData.Split(classes, images, s.ValidationFraction, s.TestFraction, s.Seed,
            s.LabeledFraction);
        return new PreparedCharacters
        {
            Source = key.Source, Spec = key.Input, Split = split, Problems = problems, Settings = s,
        };
    }
}

/// <summary>
/// Prepared data sets built once per <see cref="DataKey"/> and shared by the runs that ask for the same key: a tuning
/// worker's trials, a caller's repeated <see cref="Runs.Train"/>. Not thread-safe: one per worker.
/// </summary>
public sealed class DataCache
{
    private readonly Dictionary<DataKey, object> _sets = [];

    /// <summary>How many data sets were prepared (once each).</summary>
    public int Count => _sets.Count;

    public CtcData Text(DataKey key, CrnnConfig config, CancellationToken cancellationToken = default) =>
        Get(key, () => PreparedData.Text(key, config, cancellationToken));

    public PreparedCharacters Characters(DataKey key, CancellationToken cancellationToken = default) =>
        Get(key, () => PreparedData.Characters(key, cancellationToken: cancellationToken));

    private T Get<T>(DataKey key, Func<T> prepare) where T : class
    {
        if (_sets.TryGetValue(key, out var set))
            return set as T ?? throw new ArgumentException("the key was prepared for another task", nameof(key));
        var prepared = prepare();
        _sets[key] = prepared;
        return prepared;
    }
}
