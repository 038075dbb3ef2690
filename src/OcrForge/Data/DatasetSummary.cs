namespace OcrForge.Data;

/// <summary>
/// What <c>ocrforge data show</c> reports about a decoded dataset: counts, charset, label-length, image-size and
/// per-class distributions, and how fast it decoded. Keys of the distributions are sorted so output is stable.
/// </summary>
public sealed record DatasetSummary(
    string Source,
    string Format,
    int Files,
    int Decoded,
    IReadOnlyList<DataProblem> Problems,
    bool IsClassification,
    int DistinctLabels,
    string Charset,
    IReadOnlyDictionary<int, int> LabelLengths,
    IReadOnlyDictionary<string, int> ImageSizes,
    IReadOnlyDictionary<string, int> LabelCounts,
    double DecodeSeconds,
    int Threads)
{
    public double ImagesPerSecond => Files / Math.Max(DecodeSeconds, 1e-9);

    /// <summary>Symbols for text labels, classes for one-label-per-image layouts.</summary>
    public int Classes => IsClassification ? DistinctLabels : Charset.Length;

    public static DatasetSummary Compute(Dataset dataset, DecodedSet decoded, TimeSpan decodeTime)
    {
        var labels = decoded.Samples.Select(s => s.Label).ToList();
        // Folder layouts name classes; label-in-name layouts whose labels are all one character are classes too.
        bool classification = dataset.Format is DatasetFormat.Chars74K or DatasetFormat.Folders || labels.All(l => l.Length == 1);
        var charset = string.Concat(labels.SelectMany(l => l).Distinct().Order());
        var lengths = labels.GroupBy(l => l.Length).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());
        var sizes = decoded.Samples.GroupBy(s => (s.Image.Width, s.Image.Height))
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key.Width).ThenBy(g => g.Key.Height)
            .ToDictionary(g => $"{g.Key.Width}x{g.Key.Height}", g => g.Count());
        var counts = labels.GroupBy(l => l, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new DatasetSummary(dataset.Source, dataset.Format.ToString().ToLowerInvariant(), dataset.Files.Count,
            decoded.Samples.Count, decoded.Problems, classification, counts.Count, charset, lengths, sizes, counts,
            decodeTime.TotalSeconds, Environment.ProcessorCount);
    }
}
