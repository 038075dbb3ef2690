using System.Globalization;
using OcrForge.Inference;

namespace OcrForge.Data;

/// <summary>Lists the labelled images of a dataset in any supported layout. Decoding is
/// <see cref="DatasetDecoder"/>'s job.</summary>
public static class DatasetReader
{
    public static readonly IReadOnlySet<string> ImageExtensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp" };

    public static Dataset Read(string path, DatasetFormat format = DatasetFormat.Auto)
    {
        if (!Directory.Exists(path) && !File.Exists(path))
            throw new OcrForgeException($"{path}: no such folder or file");
        var problems = new List<DataProblem>();
        List<LabeledFile> files;
        try
        {
            if (format == DatasetFormat.Auto) format = Detect(path);
            files = format switch
            {
                DatasetFormat.Filename => ReadFilename(RequireFolder(path), problems),
                DatasetFormat.Chars74K => ReadChars74K(RequireFolder(path), problems),
                DatasetFormat.Folders => ReadFolders(RequireFolder(path), problems),
                DatasetFormat.Csv => ReadCsv(File.Exists(path) ? path : FindManifest(path), problems),
                _ => throw new ArgumentOutOfRangeException(nameof(format)),
            };
        }
        // A folder we may not list or a manifest we cannot read stops the run, but with a line, not a stack trace.
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OcrForgeException($"{path}: cannot read the dataset ({e.Message})", e);
        }
        if (files.Count == 0)
            throw new OcrForgeException(
                $"{path}: no labelled images found (format {format.ToString().ToLowerInvariant()}"
                + (problems.Count > 0 ? $"; first problem: {problems[0]})" : ")"));
        return new Dataset(path, format, files, problems);
    }

    /// <summary>
    /// A CSV file (or a folder holding exactly one) is a manifest; a folder of <c>SampleNNN</c> folders is Chars74K
    /// (a folder holding them deeper, as <c>English/</c> does, is an error naming the folder to pass); a folder of
    /// sub-folders is one-folder-per-class; a folder of images is label-in-filename. Anything else is an error
    /// naming the folder.
    /// </summary>
    public static DatasetFormat Detect(string path)
    {
        if (File.Exists(path))
            return Path.GetExtension(path).Equals(".csv", StringComparison.OrdinalIgnoreCase)
                ? DatasetFormat.Csv
                : throw new OcrForgeException($"{path}: a dataset is a folder or a .csv manifest");

        var subdirs = SubFolders(path);
        var images = FilesIn(path).Any(IsImage);
        var csvs = Manifests(path);

        if (subdirs.Length > 0 && subdirs.All(d => IsSampleFolder(Path.GetFileName(d))))
            return DatasetFormat.Chars74K;
        if (subdirs.Length > 0 && !images && csvs.Length == 0 && FindSampleFolders(path) is string deeper)
            throw new OcrForgeException($"{path}: Chars74K sample folders are deeper, in {deeper}; pass that folder");
        // A manifest usually points into sub-folders of its own, so one .csv beside folders (and no images) wins.
        if (csvs.Length == 1 && !images)
            return DatasetFormat.Csv;
        // Images beside a manifest: the file names may or may not be the labels, and guessing wrong trains on garbage.
        if (images && csvs.Length > 0)
            throw new OcrForgeException($"{path}: ambiguous layout (images beside {Path.GetFileName(csvs[0])}); " +
                "pass --format csv or --format filename");
        if (images && subdirs.Length == 0)
            return DatasetFormat.Filename;
        if (!images && subdirs.Length > 0)
            return DatasetFormat.Folders;
        if (images && subdirs.Length > 0)
            throw new OcrForgeException($"{path}: ambiguous layout (images and sub-folders side by side); " +
                "pass --format filename or --format folders");
        if (csvs.Length > 1)
            throw new OcrForgeException($"{path}: several .csv manifests; pass the manifest file itself");
        var others = FilesIn(path);
        if (others.Length == 0) throw new OcrForgeException($"{path}: empty folder");
        throw new OcrForgeException($"{path}: no images in this folder ({others.Length} other files, e.g. " +
            $"{Path.GetFileName(others[0])}; images are {string.Join("/", ImageExtensions)})");
    }

    /// <summary>The first folder below <paramref name="path"/> (breadth-first, a few levels) that holds SampleNNN
    /// folders.</summary>
    private static string? FindSampleFolders(string path)
    {
        var level = new List<string> { path };
        for (int depth = 0; depth < 4 && level.Count > 0; depth++)
        {
            var next = level.SelectMany(SubFolders).ToList();
            var hit = next.FirstOrDefault(d => IsSampleFolder(Path.GetFileName(d)));
            if (hit is not null) return depth == 0 ? null : Path.GetDirectoryName(hit);
            level = next;
        }
        return null;
    }

    /// <summary>
    /// Entries whose names start with a dot are skipped everywhere: .ipynb_checkpoints folders, macOS "._x.png"
    /// resource forks and our own atomic-write temporaries are never data. Ordinal order keeps listings stable.
    /// </summary>
    private static bool IsHidden(string path) => Path.GetFileName(path).StartsWith('.');

    private static string[] SubFolders(string dir) =>
        [.. Directory.EnumerateDirectories(dir).Where(d => !IsHidden(d)).Order(StringComparer.Ordinal)];

    private static string[] FilesIn(string dir) =>
        [.. Directory.EnumerateFiles(dir).Where(f => !IsHidden(f)).Order(StringComparer.Ordinal)];

    private static string[] Manifests(string dir) =>
        [.. FilesIn(dir).Where(f => Path.GetExtension(f).Equals(".csv", StringComparison.OrdinalIgnoreCase))];

    public static bool IsImage(string file) => ImageExtensions.Contains(Path.GetExtension(file));

    private static string RequireFolder(string path) =>
        Directory.Exists(path) ? path : throw new OcrForgeException($"{path}: expected a folder");

    private static List<LabeledFile> ReadFilename(string folder, List<DataProblem> problems)
    {
        var files = new List<LabeledFile>();
        foreach (var file in FilesIn(folder))
        {
            if (!IsImage(file)) continue;
            var label = FilenameLabel(file);
            if (label.Length == 0) problems.Add(new DataProblem(file, "empty label (file name has no stem)"));
            else files.Add(new LabeledFile(file, label));
        }
        return files;
    }

    /// <summary>
    /// The label of a label-in-filename image: the stem, minus a disambiguating suffix <c>__N</c> that
    /// <see cref="SyntheticData"/> adds when two images share a label (double underscore never occurs in a label we
    /// write).
    /// </summary>
    public static string FilenameLabel(string file)
    {
        var stem = Path.GetFileNameWithoutExtension(file);
        int dup = stem.LastIndexOf("__", StringComparison.Ordinal);
        if (dup > 0 && stem[(dup + 2)..].Length > 0 && stem[(dup + 2)..].All(char.IsAsciiDigit)) stem = stem[..dup];
        return stem;
    }

    private static bool IsSampleFolder(string name) =>
        name.Length == 9 && name.StartsWith("Sample", StringComparison.Ordinal) && name[6..].All(char.IsAsciiDigit);

    /// <summary>Chars74K numbering: Sample001–010 are 0–9, 011–036 A–Z, 037–062 a–z.</summary>
    public static string Chars74KLabel(int sample) => sample switch
    {
        >= 1 and <= 10 => ((char)('0' + sample - 1)).ToString(),
        >= 11 and <= 36 => ((char)('A' + sample - 11)).ToString(),
        >= 37 and <= 62 => ((char)('a' + sample - 37)).ToString(),
        _ => throw new ArgumentOutOfRangeException(nameof(sample), $"Chars74K has samples 1–62, not {sample}"),
    };

    private static List<LabeledFile> ReadChars74K(string folder, List<DataProblem> problems)
    {
        var files = new List<LabeledFile>();
        foreach (var dir in SubFolders(folder))
        {
            var name = Path.GetFileName(dir);
            if (!IsSampleFolder(name))
            {
                problems.Add(new DataProblem(dir, "not a SampleNNN folder; skipped"));
                continue;
            }
            int sample = int.Parse(name[6..], CultureInfo.InvariantCulture);
            if (sample is < 1 or > 62)
            {
                problems.Add(new DataProblem(dir, $"sample number {sample} is outside 001–062; skipped"));
                continue;
            }
            var label = Chars74KLabel(sample);
            foreach (var file in FilesIn(dir).Where(IsImage))
                files.Add(new LabeledFile(file, label));
        }
        return files;
    }

    private static List<LabeledFile> ReadFolders(string folder, List<DataProblem> problems)
    {
        var files = new List<LabeledFile>();
        foreach (var dir in SubFolders(folder))
        {
            var label = Path.GetFileName(dir);
            var images = FilesIn(dir).Where(IsImage).ToList();
            if (images.Count == 0) problems.Add(new DataProblem(dir, "class folder has no images"));
            files.AddRange(images.Select(f => new LabeledFile(f, label)));
        }
        return files;
    }

    private static string FindManifest(string folder)
    {
        var csvs = Manifests(folder);
        return csvs.Length == 1 ? csvs[0]
            : throw new OcrForgeException($"{folder}: expected exactly one .csv manifest, found {csvs.Length}");
    }

    private static List<LabeledFile> ReadCsv(string manifest, List<DataProblem> problems)
    {
        var root = Path.GetDirectoryName(Path.GetFullPath(manifest))!;
        var files = new List<LabeledFile>();
        int lineNumber = 0;
        foreach (var raw in File.ReadLines(manifest))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0) continue;
            var fields = ParseCsvLine(line);
            if (fields.Count != 2 || fields[0].Length == 0)
            {
                problems.Add(new DataProblem($"{manifest}:{lineNumber}", "expected two fields: path,label"));
                continue;
            }
            var file = ResolveManifestPath(root, fields[0]);
            // A first row naming no file is a header, whatever its column names (path,label / filename,text / …).
            if (lineNumber == 1 && !File.Exists(file)) continue;
            if (!File.Exists(file))
            {
                problems.Add(new DataProblem($"{manifest}:{lineNumber}", $"{fields[0]}: no such file"));
                continue;
            }
            if (fields[1].Length == 0)
            {
                problems.Add(new DataProblem($"{manifest}:{lineNumber}", "empty label"));
                continue;
            }
            files.Add(new LabeledFile(file, fields[1]));
        }
        return files;
    }

    /// <summary>Manifests written on Windows use backslashes; on other systems they are folder separators
    /// too.</summary>
    private static string ResolveManifestPath(string root, string relative)
    {
        var file = Path.GetFullPath(Path.Combine(root, relative));
        if (File.Exists(file) || Path.DirectorySeparatorChar == '\\' || !relative.Contains('\\')) return file;
        return Path.GetFullPath(Path.Combine(root, relative.Replace('\\', '/')));
    }

    /// <summary>RFC 4180 fields: commas inside double quotes, doubled quotes as a literal quote.</summary>
    internal static List<string> ParseCsvLine(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else current.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(c);
        }
        fields.Add(current.ToString());
        return fields;
    }
}
