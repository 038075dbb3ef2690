using OcrForge.Inference;
using OcrForge.Inference.Imaging;

namespace OcrForge.Cli.Commands;

/// <summary>
/// The files of a <c>predict</c> run decoded a chunk at a time, in order. A file that is not a readable image is named
/// on stderr and skipped, and the others are still read; only a run in which no file could be read is an error.
/// </summary>
public sealed class ImageReader(IReadOnlyList<string> files)
{
    private int _read;
    private readonly List<string> _skipped = [];

    public IEnumerable<List<(string Path, GrayImage Image)>> Chunks(int size)
    {
        foreach (var paths in files.Chunk(size))
        {
            var chunk = new List<(string Path, GrayImage Image)>(paths.Length);
            foreach (var path in paths)
            {
                try
                {
                    chunk.Add((path, ImageDecoder.DecodeFile(path)));
                    _read++;
                }
                // One file alone that cannot be read is the run's one-line error, not a warning and an error.
                catch (OcrForgeException e) when (files.Count > 1)
                {
                    _skipped.Add(path);
                    Cli.Warn($"{e.Message}; skipped");
                }
            }
            if (chunk.Count > 0) yield return chunk;
        }
    }

    public void ThrowIfNothingRead()
    {
        if (_read == 0 && _skipped.Count > 0)
            throw new OcrForgeException(_skipped.Count == 1 ? $"{_skipped[0]}: no image could be read"
                : $"none of the {_skipped.Count} files could be read as an image (first: {_skipped[0]})");
    }
}
