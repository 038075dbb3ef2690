namespace OcrForge.Data;

/// <summary>
/// What <c>ocrforge data show</c> reports about a decoded dataset: counts, charset, label-length, image-size and
/// per-class distributions, pixel mean and standard deviation on the [0, 1] scale (the numbers a
/// <see cref="OcrForge.Inference.Imaging.PreprocessSpec"/> normalises with), and how fast it decoded. Keys of the
/// distributions are sorted so output is stable.
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
    double ListSeconds,
    double DecodeSeconds,
    int Threads,
    double PixelMean,
    double PixelStd)
{
    /// <summary>Files read and decoded per second (the listing before it is <see cref="ListSeconds"/>).</summary>
    public double ImagesPerSecond => Files / Math.Max(DecodeSeconds, 1e-9);

    /// <summary>Symbols for text labels, classes for one-label-per-image layouts.</summary>
    public int Classes => IsClassification ? DistinctLabels : Charset.Length;

    public static DatasetSummary Compute(Dataset dataset, DecodedSet decoded, TimeSpan decodeTime,
        TimeSpan listTime = default)
    {
        var labels = decoded.Samples.Select(s => s.Label).ToList();
        // Folder layouts name classes; label-in-name layouts whose labels are all one character are classes too.
        bool classification = dataset.Format is DatasetFormat.Chars74K or DatasetFormat.Folders
            || labels.All(l => l.Length == 1);
        var charset = string.Concat(labels.SelectMany(l => l).Distinct().Order());
        var lengths = labels.GroupBy(l => l.Length).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());
        var sizes = decoded.Samples.GroupBy(s => (s.Image.Width, s.Image.Height))
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key.Width).ThenBy(g => g.Key.Height)
            .ToDictionary(g => $"{g.Key.Width}x{g.Key.Height}", g => g.Count());
        var counts = labels.GroupBy(l => l, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var (mean, std) = PixelStatistics(decoded.Samples);
        return new DatasetSummary(dataset.Source, dataset.Format.ToString().ToLowerInvariant(), dataset.Files.Count,
            decoded.Samples.Count, decoded.Problems, classification, counts.Count, charset, lengths, sizes, counts,
            listTime.TotalSeconds, decodeTime.TotalSeconds, Environment.ProcessorCount, mean, std);
    }

    /// <summary>Over every pixel of every image, so large images weigh more, as they do in a model's input
    /// statistics.</summary>
    private static (double Mean, double Std) PixelStatistics(IReadOnlyList<Sample> samples)
    {
        // A histogram instead of a running sum of squares: exact, and the same whatever the order of the images.
        var histogram = new long[256];
        foreach (var sample in samples)
            foreach (var p in sample.Image.Pixels) histogram[p]++;
        double n = histogram.Sum(), sum = 0, squares = 0;
        for (int v = 0; v < 256; v++)
        {
            sum += histogram[v] * (v / 255.0);
            squares += histogram[v] * (v / 255.0) * (v / 255.0);
        }
        double mean = sum / n;
        return (mean, Math.Sqrt(Math.Max(0, squares / n - mean * mean)));
    }
}
