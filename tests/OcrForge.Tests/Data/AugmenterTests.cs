using OcrForge.Data;

namespace OcrForge.Tests.Data;

public class AugmenterTests
{
    public static TheoryData<string> Presets => new() { "characters", "text-lines" };

    private static AugmentOptions Preset(string name) => name == "characters" ? AugmentOptions.Characters : AugmentOptions.TextLines;

    [Theory]
    [MemberData(nameof(Presets))]
    public void The_same_seed_gives_the_same_bytes_and_another_seed_different_ones(string preset)
    {
        var image = DataFiles.Pattern(60, 20, mark: 2);
        var augmenter = new Augmenter(Preset(preset));

        var a = augmenter.Apply(image, new Random(11));
        var b = augmenter.Apply(image, new Random(11));
        var c = augmenter.Apply(image, new Random(12));

        Assert.Equal((60, 20), (a.Width, a.Height));
        Assert.Equal(a.Pixels, b.Pixels);
        Assert.NotEqual(a.Pixels, c.Pixels);
        Assert.NotEqual(image.Pixels, a.Pixels);
    }

    [Fact]
    public void No_change_options_give_back_the_same_pixels()
    {
        var image = DataFiles.Pattern(30, 30, mark: 1);
        var identity = new Augmenter(new AugmentOptions(RotationDegrees: 0, Translate: 0, ZoomMin: 1, ZoomMax: 1));

        Assert.Equal(image.Pixels, identity.Apply(image, new Random(0)).Pixels);
    }

    [Fact]
    public void Replicated_edges_continue_a_gradient_background_into_uncovered_margins()
    {
        // Dark on the left, light on the right, like a captcha background; the median border value is mid-gray.
        var pixels = new byte[60 * 20];
        for (int y = 0; y < 20; y++)
            for (int x = 0; x < 60; x++)
                pixels[y * 60 + x] = (byte)(100 + 150 * x / 59);
        var gradient = new OcrForge.Inference.Imaging.GrayImage(60, 20, pixels);
        var shrink = new AugmentOptions(RotationDegrees: 0, Translate: 0, ZoomMin: 0.8f, ZoomMax: 0.8f);

        var flat = new Augmenter(shrink).Apply(gradient, new Random(1));
        var replicated = new Augmenter(shrink with { ReplicateEdges = true }).Apply(gradient, new Random(1));

        // Zooming out by 0.8 uncovers a margin of 6 columns on each side.
        Assert.InRange((int)replicated[59, 10], 245, 250);
        Assert.InRange((int)replicated[0, 10], 100, 105);
        Assert.InRange((int)flat[59, 10], 150, 200);
    }

    [Fact]
    public void Noise_is_gaussian_with_the_requested_spread()
    {
        var gray = new OcrForge.Inference.Imaging.GrayImage(200, 50, Enumerable.Repeat((byte)128, 200 * 50).ToArray());
        var noiseOnly = new AugmentOptions(RotationDegrees: 0, Translate: 0, ZoomMin: 1, ZoomMax: 1, NoiseStd: 6);

        var noisy = new Augmenter(noiseOnly).Apply(gray, new Random(5)).Pixels.Select(p => p - 128.0).ToArray();

        double mean = noisy.Average(), std = Math.Sqrt(noisy.Average(d => (d - mean) * (d - mean)));
        Assert.InRange(mean, -0.3, 0.3);
        Assert.InRange(std, 5.7, 6.3);
        // About 68 % of a normal distribution lies within one standard deviation.
        Assert.InRange(noisy.Count(d => Math.Abs(d) <= 6) / (double)noisy.Length, 0.64, 0.76);
    }

    [Fact]
    public void Uncovered_pixels_take_the_paper_colour_not_black()
    {
        var white = new OcrForge.Inference.Imaging.GrayImage(20, 20, Enumerable.Repeat((byte)240, 400).ToArray());
        var shifted = new Augmenter(new AugmentOptions(RotationDegrees: 10, Translate: 0.1f, ZoomMin: 1, ZoomMax: 1)).Apply(white, new Random(4));

        Assert.All(shifted.Pixels, p => Assert.Equal(240, p));
    }
}
