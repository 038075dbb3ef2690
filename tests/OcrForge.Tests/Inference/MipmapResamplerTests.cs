using System.Runtime.InteropServices;
using OcrForge.Inference.Imaging;
using SkiaSharp;

namespace OcrForge.Tests.Inference;

/// <summary>
/// Every model so far was trained on images resized by Skia (linear filter, linear mipmaps). The resize is now our own
/// code for speed; these tests hold it to Skia's output byte for byte, so that models trained before see exactly the
/// inputs they were trained on, and so that a change of either side (a SkiaSharp upgrade included) is caught.
/// </summary>
public sealed class MipmapResamplerTests
{
    private static byte[] Skia(GrayImage image, int width, int height)
    {
        var srcInfo = new SKImageInfo(image.Width, image.Height, SKColorType.Gray8, SKAlphaType.Opaque);
        var dstInfo = new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque);
        var dst = new byte[width * height];
        var s = GCHandle.Alloc(image.Pixels, GCHandleType.Pinned);
        var d = GCHandle.Alloc(dst, GCHandleType.Pinned);
        try
        {
            using var src = new SKPixmap(srcInfo, s.AddrOfPinnedObject(), image.Width);
            using var map = new SKPixmap(dstInfo, d.AddrOfPinnedObject(), width);
            Assert.True(src.ScalePixels(map, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)));
        }
        finally
        {
            s.Free();
            d.Free();
        }
        return dst;
    }

    private static void AssertSame(GrayImage image, int width, int height)
    {
        var expected = Skia(image, width, height);
        var actual = Preprocessor.Resize(image, width, height).Pixels;
        int differ = expected.Zip(actual).Count(p => p.First != p.Second);
        Assert.True(differ == 0,
            $"{image.Width}x{image.Height} -> {width}x{height}: {differ} of {expected.Length} pixels differ from Skia");
    }

    [Fact]
    public void Captchas_resize_to_every_preset_input_exactly_as_skia_does()
    {
        var files = Directory.GetFiles(TestData.Captchas, "*.png").Order(StringComparer.Ordinal).Take(40).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var image = ImageDecoder.DecodeFile(file);
            foreach (var (w, h) in new[] { (128, 32), (200, 50), (64, 16), (100, 32), (256, 64), (50, 13) })
                AssertSame(image, w, h);
        }
    }

    [Theory]
    [InlineData(1, 0.5)]   // salt-and-pepper: the hardest case for rounding ties
    [InlineData(2, 0.0)]   // uniform noise
    public void Random_images_of_random_sizes_up_and_down_match_skia(int seed, double binary)
    {
        var random = new Random(seed);
        for (int k = 0; k < 400; k++)
        {
            int srcW = random.Next(1, 400), srcH = random.Next(1, 120);
            int w = random.Next(1, 300), h = random.Next(1, 80);
            if (k % 3 == 0)
            {
                // Strong down-scaling reaches deep mipmap levels and the end of the chain.
                w = Math.Max(1, srcW / random.Next(1, 40));
                h = Math.Max(1, srcH / random.Next(1, 40));
            }
            var pixels = new byte[srcW * srcH];
            random.NextBytes(pixels);
            if (random.NextDouble() < binary)
                for (int i = 0; i < pixels.Length; i++) pixels[i] = pixels[i] > 127 ? (byte)255 : (byte)0;
            var image = new GrayImage(srcW, srcH, pixels);
            if (image.Width == w && image.Height == h) continue;
            AssertSame(image, w, h);
        }
    }

    [Theory]
    [InlineData(1, 1, 5, 7)]
    [InlineData(1, 300, 1, 3)]
    [InlineData(300, 1, 2, 1)]
    [InlineData(513, 2, 1, 1)]
    [InlineData(2, 110, 197, 1)]
    [InlineData(4000, 32, 512, 32)]
    public void Degenerate_shapes_match_skia(int srcW, int srcH, int w, int h)
    {
        var pixels = new byte[srcW * srcH];
        new Random(srcW * 7919 + srcH).NextBytes(pixels);
        AssertSame(new GrayImage(srcW, srcH, pixels), w, h);
    }

    [Fact]
    public void Same_size_returns_the_image_and_non_positive_sizes_are_refused()
    {
        var image = new GrayImage(3, 2, [1, 2, 3, 4, 5, 6]);
        Assert.Same(image, Preprocessor.Resize(image, 3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Preprocessor.Resize(image, 0, 2));
    }
}
