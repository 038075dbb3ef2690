using System.Collections.Concurrent;
using OcrForge.Inference;
using OcrForge.Inference.Imaging;

namespace OcrForge.Data;

/// <summary>A decoded image, already resized to the model's input, with its label and source file.</summary>
public sealed record Sample(GrayImage Image, string Label, string Path);

/// <summary>The decoded samples of a dataset, and the files that could not be used (reported, not fatal).</summary>
public sealed record DecodedSet(IReadOnlyList<Sample> Samples, IReadOnlyList<DataProblem> Problems);

/// <summary>
/// Decodes a dataset in parallel into memory. Images are kept as resized 8-bit bytes (a 200×50 captcha is 10 kB),
/// so small and medium datasets are decoded once and every epoch reads from memory.
/// </summary>
public static class DatasetDecoder
{
    /// <param name="width">Target width, or null to keep each image's own size.</param>
    /// <param name="height">Target height, or null to keep each image's own size.</param>
    /// <param name="memoryBudgetBytes">
    /// Most pixel bytes to hold; by default half the memory this process may use. A dataset that does not fit stops
    /// with a one-line error instead of running the machine out of memory.
    /// </param>
    public static DecodedSet Decode(Dataset dataset, int? width = null, int? height = null,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default,
        long? memoryBudgetBytes = null) =>
        Decode(dataset, width is int w && height is int h ? image => Preprocessor.Resize(image, w, h) : null,
            progress, cancellationToken, memoryBudgetBytes);

    /// <summary>
    /// Decodes every image brought to the spec's input by <see cref="Preprocessor.Fit"/>: a stretch to Width×Height,
    /// or for a variable-width spec the height with the aspect kept (each image its own width).
    /// </summary>
    public static DecodedSet Decode(Dataset dataset, PreprocessSpec spec, IProgress<int>? progress = null,
        CancellationToken cancellationToken = default, long? memoryBudgetBytes = null) =>
        Decode(dataset, image => Preprocessor.Fit(image, spec), progress, cancellationToken, memoryBudgetBytes);

    private static DecodedSet Decode(Dataset dataset, Func<GrayImage, GrayImage>? fit, IProgress<int>? progress,
        CancellationToken cancellationToken, long? memoryBudgetBytes)
    {
        var files = dataset.Files;
        var decoded = new Sample?[files.Count];
        var problems = new ConcurrentBag<(int Index, DataProblem Problem)>();
        long budget = memoryBudgetBytes ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2;
        long held = 0;
        int done = 0;
        Parallel.For(0, files.Count, new ParallelOptions { CancellationToken = cancellationToken }, (i, loop) =>
        {
            var file = files[i];
            try
            {
                var image = ImageDecoder.DecodeFile(file.Path);
                if (fit is not null) image = fit(image);
                decoded[i] = new Sample(image, file.Label, file.Path);
                if (Interlocked.Add(ref held, image.Pixels.Length) > budget) loop.Stop();
            }
            catch (OcrForgeException e)
            {
                // The decoder's message already starts with the file name.
                problems.Add((i, new DataProblem(file.Path, StripPath(e.Message, file.Path))));
            }
            int n = Interlocked.Increment(ref done);
            if (progress is not null && (n % 256 == 0 || n == files.Count)) progress.Report(n);
        });

        if (held > budget)
            throw new OcrForgeException($"{dataset.Source}: {files.Count} images do not fit in memory at this size "
                + $"(over {budget / (1 << 20)} MiB after {done} images); "
                + "decode them smaller or use part of the dataset");
        var samples = decoded.Where(s => s is not null).Select(s => s!).ToList();
        var allProblems = dataset.Problems.Concat(problems.OrderBy(p => p.Index).Select(p => p.Problem)).ToList();
        if (samples.Count == 0)
            throw new OcrForgeException($"{dataset.Source}: none of the {files.Count} images could be decoded "
                + $"(first: {allProblems.FirstOrDefault()})");
        return new DecodedSet(samples, allProblems);
    }

    private static string StripPath(string message, string path) =>
        message.StartsWith(path + ": ", StringComparison.Ordinal) ? message[(path.Length + 2)..] : message;
}
