using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using SkiaSharp;

namespace OcrForge.Tests.Data;

public class DatasetDecoderTests
{
    [Fact]
    public void Gray_png_rgb_jpeg_and_bmp_decode_to_gray_and_resize_to_the_requested_input()
    {
        using var dir = new TempDir();
        var png = DataFiles.Png(dir.File("a.png"), 20, 10);
        var jpeg = DataFiles.Encoded(dir.File("b.jpg"), SKEncodedImageFormat.Jpeg, new SKColor(200, 60, 30));
        var bmp = DataFiles.Bmp(dir.File("c.bmp"), 5, 3);
        var webp = DataFiles.Encoded(dir.File("d.webp"), SKEncodedImageFormat.Webp, new SKColor(0, 255, 0));
        var transparent = DataFiles.Encoded(dir.File("e.png"), SKEncodedImageFormat.Png, new SKColor(0, 0, 0, 0));
        string[] files = [png, jpeg, bmp, webp, transparent];

        var own = DatasetDecoder.Decode(Dataset(files));
        var sized = DatasetDecoder.Decode(Dataset(files), width: 16, height: 8);

        Assert.Equal([(20, 10), (24, 16), (5, 3), (24, 16), (24, 16)], own.Samples.Select(s => (s.Image.Width, s.Image.Height)));
        Assert.Equal(DataFiles.Pattern(20, 10).Pixels, own.Samples[0].Image.Pixels);
        // ITU-R 601 luma: red-brown (200, 60, 30) → 98 (lossy formats move it a little); pure blue → 29; green → 150.
        Assert.InRange(own.Samples[1].Image.Pixels.Average(p => p), 93, 103);
        Assert.All(own.Samples[2].Image.Pixels, p => Assert.Equal(29, p));
        Assert.InRange(own.Samples[3].Image.Pixels.Average(p => p), 145, 155);
        // Transparent pixels are paper, not ink.
        Assert.All(own.Samples[4].Image.Pixels, p => Assert.Equal(255, p));
        Assert.All(sized.Samples, s => Assert.Equal((16, 8), (s.Image.Width, s.Image.Height)));
        Assert.Empty(own.Problems);
    }

    [Theory]
    [InlineData(1, 40, 20, "left")]
    [InlineData(2, 40, 20, "right")]
    [InlineData(3, 40, 20, "right")]
    [InlineData(4, 40, 20, "left")]
    [InlineData(5, 20, 40, "top")]
    [InlineData(6, 20, 40, "top")]
    [InlineData(7, 20, 40, "bottom")]
    [InlineData(8, 20, 40, "bottom")]
    public void Exif_orientation_turns_photos_upright(ushort orientation, int width, int height, string blackSide)
    {
        using var dir = new TempDir();
        var file = DataFiles.JpegWithOrientation(dir.File("photo.jpg"), 40, 20, orientation);

        var image = ImageDecoder.DecodeFile(file);

        Assert.Equal((width, height), (image.Width, image.Height));
        // Sample well inside each half, away from JPEG ringing at the edge between them.
        var (dark, light) = blackSide switch
        {
            "left" => (image[5, 10], image[34, 10]),
            "right" => (image[34, 10], image[5, 10]),
            "top" => (image[10, 5], image[10, 34]),
            _ => (image[10, 34], image[10, 5]),
        };
        Assert.InRange((int)dark, 0, 30);
        Assert.InRange((int)light, 225, 255);
    }

    [Fact]
    public void Broken_files_are_reported_by_name_with_the_reason_and_the_rest_still_decode()
    {
        using var dir = new TempDir();
        var good1 = DataFiles.Png(dir.File("good1.png"));
        var truncated = DataFiles.TruncatedPng(dir.File("truncated.png"));
        var random = DataFiles.RandomBytes(dir.File("random.png"));
        var empty = DataFiles.Empty(dir.File("empty.png"));
        var huge = DataFiles.HugePng(dir.File("huge.png"));
        var good2 = DataFiles.Png(dir.File("good2.png"), mark: 1);

        var decoded = DatasetDecoder.Decode(Dataset(good1, truncated, random, empty, huge, good2));

        Assert.Equal([good1, good2], decoded.Samples.Select(s => s.Path));
        Assert.Equal([truncated, random, empty, huge], decoded.Problems.Select(p => p.Path));
        Assert.Equal("image data is damaged or truncated (truncated)", decoded.Problems[0].Reason);
        Assert.StartsWith("not a readable image", decoded.Problems[1].Reason);
        Assert.Equal("empty file", decoded.Problems[2].Reason);
        Assert.StartsWith("image of 100000x100000 pixels is outside the supported size", decoded.Problems[3].Reason);
        Assert.All(decoded.Problems, p => Assert.DoesNotContain('\n', p.ToString()));
    }

    [Fact]
    public void A_dataset_with_no_decodable_image_is_an_error_naming_the_first_problem()
    {
        using var dir = new TempDir();
        var empty = DataFiles.Empty(dir.File("a.png"));
        DataFiles.RandomBytes(dir.File("b.png"));

        var e = Assert.Throws<OcrForgeException>(() => DatasetDecoder.Decode(DatasetReader.Read(dir.Path)));

        Assert.Equal($"{dir.Path}: none of the 2 images could be decoded (first: {empty}: empty file)", e.Message);
    }

    [Fact]
    public void Files_that_vanished_or_are_folders_are_problems_not_crashes()
    {
        using var dir = new TempDir();
        var vanished = DataFiles.Png(dir.File("vanished.png"));
        var folder = Directory.CreateDirectory(dir.File("folder.png")).FullName;
        var good = DataFiles.Png(dir.File("good.png"));
        var dataset = Dataset(vanished, folder, good);
        File.Delete(vanished);

        var decoded = DatasetDecoder.Decode(dataset);

        Assert.Equal([vanished, folder], decoded.Problems.Select(p => p.Path));
        Assert.All(decoded.Problems, p => Assert.StartsWith("cannot read file", p.Reason));
        Assert.Equal(good, Assert.Single(decoded.Samples).Path);
    }

    [Fact]
    public void A_dataset_that_does_not_fit_the_memory_budget_stops_with_a_one_line_error()
    {
        using var dir = new TempDir();
        var files = Enumerable.Range(0, 50).Select(i => DataFiles.Png(dir.File($"{i:D2}.png"), 20, 10)).ToArray();

        var e = Assert.Throws<OcrForgeException>(() => DatasetDecoder.Decode(Dataset(files), memoryBudgetBytes: 20 * 10 * 10));
        var fits = DatasetDecoder.Decode(Dataset(files), width: 4, height: 2, memoryBudgetBytes: 20 * 10 * 10);

        Assert.StartsWith("test: 50 images do not fit in memory at this size", e.Message);
        Assert.Equal(50, fits.Samples.Count);
    }

    [Fact]
    public void Decoding_reports_progress_up_to_the_file_count_and_keeps_file_order()
    {
        using var dir = new TempDir();
        var files = Enumerable.Range(0, 300).Select(i => DataFiles.Png(dir.File($"{i:D3}.png"), 8, 8, mark: i)).ToArray();
        var reported = new List<int>();
        var progress = new SynchronousProgress(reported);

        var decoded = DatasetDecoder.Decode(Dataset(files), progress: progress);

        Assert.Equal(files, decoded.Samples.Select(s => s.Path));
        Assert.Equal(300, reported.Max());
        Assert.Equal(DataFiles.Pattern(8, 8, mark: 123).Pixels, decoded.Samples[123].Image.Pixels);
    }

    private static Dataset Dataset(params string[] files) =>
        new("test", DatasetFormat.Filename, files.Select(f => new LabeledFile(f, Path.GetFileNameWithoutExtension(f))).ToList(), []);

    /// <summary>Progress&lt;T&gt; posts to the thread pool; the test needs the calls to have happened on return.</summary>
    private sealed class SynchronousProgress(List<int> values) : IProgress<int>
    {
        public void Report(int value)
        {
            lock (values) values.Add(value);
        }
    }
}
