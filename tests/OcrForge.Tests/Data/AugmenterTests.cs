using OcrForge.Data;

namespace OcrForge.Tests.Data;

public class AugmenterTests
{
    public static TheoryData<string> Presets => new() { "characters", "characters-strong", "text-lines" };

    private static AugmentOptions Preset(string name) => name switch
    {
        "characters" => AugmentOptions.Characters,
        "characters-strong" => AugmentOptions.CharactersStrong,
        _ => AugmentOptions.TextLines,
    };

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
    public void Cutout_paints_one_mid_grey_square_of_the_requested_side_and_leaves_the_rest()
    {
        var image = new OcrForge.Inference.Imaging.GrayImage(40, 40, Enumerable.Repeat((byte)255, 1600).ToArray());
        var cutout = new Augmenter(new AugmentOptions(RotationDegrees: 0, Translate: 0, ZoomMin: 1, ZoomMax: 1, CutoutFraction: 0.25f));

        // Over several seeds a whole 10×10 square lands inside at least once; no pixel is ever anything but 255 or 128.
        var counts = Enumerable.Range(0, 20).Select(seed => cutout.Apply(image, new Random(seed)).Pixels).ToList();
        Assert.All(counts, pixels => Assert.All(pixels, p => Assert.True(p is 255 or 128)));
        Assert.All(counts, pixels => Assert.InRange(pixels.Count(p => p == 128), 1, 100));
        Assert.Contains(counts, pixels => pixels.Count(p => p == 128) == 100);
    }

    [Fact]
    public void Shear_slants_the_image_and_zero_shear_is_the_plain_preset()
    {
        var image = DataFiles.Pattern(32, 32, mark: 3);
        var before = new Augmenter(AugmentOptions.Characters).Apply(image, new Random(5));
        var explicitOff = new Augmenter(AugmentOptions.Characters with { ShearDegrees = 0, CutoutFraction = 0 }).Apply(image, new Random(5));
        var sheared = new Augmenter(AugmentOptions.Characters with { ShearDegrees = 15 }).Apply(image, new Random(5));
        Assert.Equal(before.Pixels, explicitOff.Pixels);
        Assert.NotEqual(before.Pixels, sheared.Pixels);
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
