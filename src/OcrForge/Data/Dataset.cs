using OcrForge.Inference;

namespace OcrForge.Data;

/// <summary>On-disk layouts OcrForge reads. <see cref="Auto"/> picks one from the folder's shape.</summary>
public enum DatasetFormat
{
    Auto,
    /// <summary>A folder of images whose label is the file stem: <c>2b827.png</c> → <c>2b827</c>.</summary>
    Filename,
    /// <summary>Chars74K English: <c>SampleNNN/…</c> folders, 001–010 = 0–9, 011–036 = A–Z, 037–062 =
    /// a–z.</summary>
    Chars74K,
    /// <summary>One sub-folder per class; the folder name is the label.</summary>
    Folders,
    /// <summary>A <c>path,label</c> manifest; paths relative to the manifest.</summary>
    Csv,
}

/// <summary>An image file and its label, before decoding.</summary>
public sealed record LabeledFile(string Path, string Label);

/// <summary>Something wrong with one input file; reported as "path: reason" and the file skipped.</summary>
public sealed record DataProblem(string Path, string Reason)
{
    public override string ToString() => $"{Path}: {Reason}";
}

/// <summary>The labelled files of a dataset, found by a <see cref="DatasetReader"/>; nothing decoded yet.</summary>
public sealed class Dataset
{
    public Dataset(string source, DatasetFormat format, IReadOnlyList<LabeledFile> files,
        IReadOnlyList<DataProblem> problems)
    {
        Source = source;
        Format = format;
        Files = files;
        Problems = problems;
    }

    public string Source { get; }
    public DatasetFormat Format { get; }
    public IReadOnlyList<LabeledFile> Files { get; }
    public IReadOnlyList<DataProblem> Problems { get; }
    public IEnumerable<string> Labels => Files.Select(f => f.Label);

    /// <summary>
    /// The files whose labels use only <paramref name="charset"/>'s symbols; the others become problems naming the
    /// first foreign character. Fails when no file is left, since nothing could be trained or evaluated.
    /// </summary>
    public Dataset RestrictTo(string charset)
    {
        var kept = new List<LabeledFile>(Files.Count);
        var problems = new List<DataProblem>(Problems);
        foreach (var file in Files)
        {
            int bad = file.Label.AsSpan().IndexOfAnyExcept(charset);
            if (bad < 0) kept.Add(file);
            else problems.Add(new DataProblem(file.Path,
                $"label \"{file.Label}\" has '{file.Label[bad]}', which is not in the charset \"{charset}\""));
        }
        if (Files.Count == 0) throw new OcrForgeException($"{Source}: no labelled images");
        if (kept.Count == 0)
            throw new OcrForgeException(
                $"{Source}: no label fits the charset \"{charset}\" (first: {problems[Problems.Count]})");
        return new Dataset(Source, Format, kept, problems);
    }
}
