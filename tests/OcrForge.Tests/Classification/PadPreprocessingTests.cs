using OcrForge.Inference.Imaging;

namespace OcrForge.Tests.Classification;

public class PadPreprocessingTests
{
    [Fact]
    public void Pad_keeps_a_tall_character_tall_where_stretch_fills_the_square()
    {
        // Given a 10×40 image: black ink on a white border
        var pixels = Enumerable.Repeat((byte)255, 10 * 40).ToArray();
        for (int y = 2; y < 38; y++) for (int x = 3; x < 7; x++) pixels[y * 10 + x] = 0;
        var tall = new GrayImage(10, 40, pixels);

        var padded = Preprocessor.Prepare(tall, new PreprocessSpec(32, 32, Resize: ResizeMode.Pad));
        var stretched = Preprocessor.Prepare(tall, new PreprocessSpec(32, 32));

        // Then padding leaves white columns at both sides (the stroke stays thin), stretching does not
        Assert.Equal(32, padded.Width);
        Assert.All(Enumerable.Range(0, 32), y => Assert.Equal(255, padded[0, y]));
        Assert.All(Enumerable.Range(0, 32), y => Assert.Equal(255, padded[31, y]));
        int darkPadded = padded.Pixels.Count(p => p < 128), darkStretched = stretched.Pixels.Count(p => p < 128);
        Assert.True(darkPadded * 2 < darkStretched, $"padded ink {darkPadded} px, stretched {darkStretched} px");
    }

    [Fact]
    public void Auto_contrast_turns_light_on_dark_into_dark_on_light()
    {
        var pixels = Enumerable.Repeat((byte)40, 16 * 16).ToArray();
        for (int y = 4; y < 12; y++) pixels[y * 16 + 8] = 120;
        var image = Preprocessor.Prepare(new GrayImage(16, 16, pixels), new PreprocessSpec(16, 16, AutoContrast: true));
        Assert.Equal(255, image[0, 0]);   // background now white
        Assert.Equal(0, image[8, 6]);     // stroke now black, full contrast
    }
}
