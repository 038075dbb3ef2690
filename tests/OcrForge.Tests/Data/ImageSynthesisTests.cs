using OcrForge.Data;
using OcrForge.Inference;

namespace OcrForge.Tests.Data;

public class ImageSynthesisTests
{
    [Fact]
    public void Writes_the_captchas_it_reports_and_refuses_a_folder_that_already_holds_images()
    {
        using var dir = new TempDir();

        var summary = ImageSynthesis.Write(dir.File("c"), captcha: true, count: 6, seed: 3, size: "120x30");
        var again = Assert.Throws<OcrForgeException>(() => ImageSynthesis.Write(dir.File("c"), captcha: false, count: 2, seed: 3));

        Assert.Equal(("captcha", 6, 120, 30), (summary.Kind, summary.Count, summary.Width, summary.Height));
        Assert.Equal(6, Directory.GetFiles(dir.File("c"), "*.png").Length);
        Assert.Equal($"{dir.File("c")}: already holds images; synth writes into a new or image-free folder", again.Message);
        Assert.Equal(6, Directory.GetFiles(dir.File("c"), "*.png", SearchOption.AllDirectories).Length);
    }

    [Theory]
    [InlineData("200x50", 200, 50)]
    [InlineData("32X32", 32, 32)]
    public void Sizes_are_width_x_height(string text, int width, int height) =>
        Assert.Equal((width, height), ImageSynthesis.ParseSize(text));

    [Fact]
    public void A_size_that_is_not_width_x_height_is_named_in_the_error() =>
        Assert.Equal("--size 200by50: expected WIDTHxHEIGHT, e.g. 200x50",
            Assert.Throws<OcrForgeException>(() => ImageSynthesis.ParseSize("200by50")).Message);
}
