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
    public void Uncovered_pixels_take_the_paper_colour_not_black()
    {
        var white = new OcrForge.Inference.Imaging.GrayImage(20, 20, Enumerable.Repeat((byte)240, 400).ToArray());
        var shifted = new Augmenter(new AugmentOptions(RotationDegrees: 10, Translate: 0.1f, ZoomMin: 1, ZoomMax: 1)).Apply(white, new Random(4));

        Assert.All(shifted.Pixels, p => Assert.Equal(240, p));
    }
}
