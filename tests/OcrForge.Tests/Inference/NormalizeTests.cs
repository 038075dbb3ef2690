using OcrForge.Inference.Imaging;

namespace OcrForge.Tests.Inference;

/// <summary>
/// <see cref="Preprocessor.Normalize"/> scales eight pixels at a time where the CPU can; every model input goes
/// through it, so it must give exactly the bits of the one-pixel formula, inverted or not, for every length (the
/// tail included).
/// </summary>
public sealed class NormalizeTests
{
    [Theory]
    [InlineData(false, 0.5f, 0.25f)]
    [InlineData(true, 0.13f, 0.31f)]
    [InlineData(false, 0f, 1f)]
    public void Every_pixel_value_and_length_gives_the_scalar_formula_bit_for_bit(bool invert, float mean, float std)
    {
        var spec = new PreprocessSpec(64, 32, mean, std, invert);
        var random = new Random(7);
        float scale = 1f / (255f * std), offset = mean / std;
        foreach (int length in new[] { 0, 1, 7, 8, 9, 31, 256, 1000 })
        {
            var pixels = new byte[length];
            random.NextBytes(pixels);
            if (length == 256) for (int i = 0; i < 256; i++) pixels[i] = (byte)i;
            var actual = new float[length + 3];
            Preprocessor.Normalize(pixels, spec, actual);
            for (int i = 0; i < length; i++)
            {
                int p = invert ? 255 - pixels[i] : pixels[i];
                float expected = p * scale - offset;
                Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual[i]),
                    $"length {length}, pixel {i} ({pixels[i]}): {actual[i]:R} instead of {expected:R}");
            }
            Assert.Equal(0f, actual[length]);
        }
    }
}
