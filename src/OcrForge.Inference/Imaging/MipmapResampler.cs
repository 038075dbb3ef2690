using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace OcrForge.Inference.Imaging;

/// <summary>
/// The resize every model has been trained and served with: bilinear sampling blended between two mipmap levels, as
/// Skia's <c>SKPixmap.ScalePixels</c> computes it for <c>Linear</c> filtering with <c>Linear</c> mipmaps on a Gray8
/// image, reproduced to the byte (the test suite compares it with Skia on captchas and thousands of random sizes).
/// Skia ran it through its generic SSE2 raster pipeline at about 0.55 ms for one 200×50 → 128×32 captcha, the
/// largest single cost of a served request; this does the same arithmetic in tens of microseconds.
/// </summary>
/// <remarks>
/// Every float operation below mirrors one of Skia's, in its order and without fused multiply-adds, because a
/// different rounding moves a pixel that sits on a .5 boundary by one grey level. The steps:
/// <list type="number">
/// <item>the mipmap level is <c>max(-log2(min scale) - 0.5, 0)</c>; its integer part picks the upper level, its
/// fraction weighs the next lower one (levels halve with floor, 2-tap box or 1-2-1 filters for odd sizes);</item>
/// <item>a destination pixel centre is mapped into the upper level, then into the lower level by the ratio of their
/// sizes; each level is sampled bilinearly with taps clamped to the image;</item>
/// <item>the two samples are blended, turned to luminance, and rounded to the nearest byte (ties to even).</item>
/// </list>
/// </remarks>
internal static class MipmapResampler
{
    private static readonly float[] Unit = BuildUnit();
    private static readonly float SmallestNormal = BitConverter.Int32BitsToSingle(0x00800000);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static GrayImage Resize(GrayImage image, int width, int height)
    {
        int srcW = image.Width, srcH = image.Height;
        // The inverse of the source-to-destination scale, as Skia inverts the matrix: 1 / (dst / src).
        float invX = 1f / ((float)width / srcW), invY = 1f / ((float)height / srcH);

        var (levelNum, lowerWeight) = Level(invX, invY, srcW, srcH);
        var levels = new List<GrayImage> { image };
        int needed = levelNum + (lowerWeight > 0 ? 1 : 0);
        for (int i = 0; i < needed; i++) levels.Add(HalfSize(levels[^1]));
        var upper = levels[levelNum];
        var lower = lowerWeight > 0 ? levels[levelNum + 1] : null;

        // The upper level's matrix: the level's size ratio times the base inverse (at level 0 the ratio is exactly 1).
        float upperX = (float)upper.Width / srcW * invX, upperY = (float)upper.Height / srcH * invY;
        // Skia samples nearest instead of bilinear, on both levels, when the upper level maps 1:1 onto the
        // destination (an identity matrix): bilinear would give the same there, but not on the lower level.
        bool nearest = upperX == 1f && upperY == 1f;
        var upperCols = Taps(width, upperX, 1f, upper.Width, nearest);
        var upperRows = Taps(height, upperY, 1f, upper.Height, nearest);
        AxisTaps? lowerCols = null, lowerRows = null;
        if (lower is not null)
        {
            lowerCols = Taps(width, upperX, (float)lower.Width / upper.Width, lower.Width, nearest);
            lowerRows = Taps(height, upperY, (float)lower.Height / upper.Height, lower.Height, nearest);
        }

        var dst = new byte[width * height];
        var upperRow = new float[width];
        var lowerRow = lower is null ? null : new float[width];
        // Both levels as floats (Skia's 1/255 steps) once, for the bilinear taps to gather.
        var upperUnits = ToUnits(upper);
        var lowerUnits = lower is null ? null : ToUnits(lower);
        for (int y = 0; y < height; y++)
        {
            SampleRow(upperUnits, upper.Width, upperCols, upperRows, y, upperRow);
            if (lower is not null) SampleRow(lowerUnits!, lower.Width, lowerCols!, lowerRows!, y, lowerRow!);
            BlendRow(upperRow, lowerRow, lowerWeight, dst.AsSpan(y * width, width));
        }
        return new GrayImage(width, height, dst);
    }

    /// <summary>The two levels blended, turned to luminance and rounded to bytes; eight pixels at a time where the
    /// CPU allows, with the scalar loop's float operations in its order (no fused multiply-adds).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlendRow(float[] upperRow, float[]? lowerRow, float lowerWeight, Span<byte> row)
    {
        int x = 0;
        if (Avx.IsSupported)
        {
            var weight = Vector256.Create(lowerWeight);
            Vector256<float> red = Vector256.Create(0.2126f), green = Vector256.Create(0.7152f),
                blue = Vector256.Create(0.0722f), one = Vector256.Create(1f), full = Vector256.Create(255f);
            Span<int> rounded = stackalloc int[8];
            for (; x <= row.Length - 8; x += 8)
            {
                var v = Vector256.Create(upperRow.AsSpan(x, 8));
                if (lowerRow is not null) v = (Vector256.Create(lowerRow.AsSpan(x, 8)) - v) * weight + v;
                var luminance = v * red + v * green + v * blue;
                var clamped = Vector256.Min(Vector256.Max(Vector256<float>.Zero, luminance), one) * full;
                // cvtps2dq rounds to nearest, ties to even, as ToByte does.
                Avx.ConvertToVector256Int32(clamped).CopyTo(rounded);
                for (int k = 0; k < 8; k++) row[x + k] = (byte)rounded[k];
            }
        }
        for (; x < row.Length; x++)
        {
            float v = upperRow[x];
            if (lowerRow is not null) v = (lowerRow[x] - v) * lowerWeight + v;
            float luminance = v * 0.2126f + v * 0.7152f + v * 0.0722f;
            row[x] = ToByte(luminance);
        }
    }

    /// <summary>Skia's level choice: <c>SkMipmap::ComputeLevel</c> on the smaller scale, with the fallbacks of its
    /// accessor when the level is beyond the chain. (0, 0) is the base image alone.</summary>
    private static (int LevelNum, float LowerWeight) Level(float invX, float invY, int srcW, int srcH)
    {
        // decomposeScale: the length of each column of the inverse matrix, in float.
        float lengthX = MathF.Sqrt(invX * invX), lengthY = MathF.Sqrt(invY * invY);
        float scale = Math.Min(1f / lengthX, 1f / lengthY);
        if (!(scale < 1f) || scale <= 0 || !float.IsFinite(scale)) return (0, 0);
        float level = Math.Max(-MathF.Log2(scale) - 0.5f, 0f);
        if (!float.IsFinite(level) || level <= 0) return (0, 0);
        int levelNum = (int)MathF.Floor(level);
        float lowerWeight = level - levelNum;
        int count = LevelCount(srcW, srcH);
        // The upper level must exist, else Skia samples the base image without mipmaps.
        if (levelNum > 0 && levelNum - 1 >= count) return (0, 0);
        // The lower level must exist, else only the upper one is sampled.
        if (lowerWeight > 0 && levelNum >= count) lowerWeight = 0;
        return (levelNum, lowerWeight);
    }

    /// <summary>Levels below the base: halving until both sides are 1 (floor(log2(longest side))).</summary>
    private static int LevelCount(int width, int height)
    {
        int longest = Math.Max(width, height);
        return longest < 2 ? 0 : 31 - System.Numerics.BitOperations.LeadingZeroCount((uint)longest);
    }

    /// <summary>The next mipmap level: floor-halved sides; a 2-tap box per axis, 1-2-1 over 3 taps when the side is
    /// odd, nothing along a side of 1. Integer sums shifted right (truncating), as Skia's 8-bit filters do.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static GrayImage HalfSize(GrayImage source)
    {
        int srcW = source.Width, srcH = source.Height;
        int w = Math.Max(1, srcW / 2), h = Math.Max(1, srcH / 2);
        int tapsX = srcW == 1 ? 1 : (srcW & 1) == 1 ? 3 : 2;
        int tapsY = srcH == 1 ? 1 : (srcH & 1) == 1 ? 3 : 2;
        int shift = (tapsX == 1 ? 0 : tapsX == 2 ? 1 : 2) + (tapsY == 1 ? 0 : tapsY == 2 ? 1 : 2);
        var p = source.Pixels;
        var d = new byte[w * h];
        if (tapsX == 2 && tapsY == 2)
        {
            // Even sides, the common case: a plain 2x2 box.
            for (int y = 0; y < h; y++)
            {
                int r0 = 2 * y * srcW, r1 = r0 + srcW;
                for (int x = 0; x < w; x++)
                {
                    int at = 2 * x;
                    d[y * w + x] = (byte)((p[r0 + at] + p[r0 + at + 1] + p[r1 + at] + p[r1 + at + 1]) >> 2);
                }
            }
            return new GrayImage(w, h, d);
        }
        for (int y = 0; y < h; y++)
        {
            int row0 = 2 * y * srcW;
            for (int x = 0; x < w; x++)
            {
                int at = row0 + 2 * x, sum = 0;
                for (int j = 0; j < tapsY; j++)
                {
                    int weightY = tapsY == 3 && j == 1 ? 2 : 1;
                    int r = at + j * srcW, rowSum = 0;
                    for (int i = 0; i < tapsX; i++) rowSum += (tapsX == 3 && i == 1 ? 2 : 1) * p[r + i];
                    sum += weightY * rowSum;
                }
                d[y * w + x] = (byte)(sum >> shift);
            }
        }
        return new GrayImage(w, h, d);
    }

    /// <summary>Per destination column (or row): the two source indices and their weights.</summary>
    private sealed record AxisTaps(int[] Near, int[] Far, float[] NearWeight, float[] FarWeight);

    /// <param name="toLevel">1 for the upper level; the lower/upper size ratio for the lower level, applied to the
    /// upper level's coordinate as Skia's mipmap stage does.</param>
    /// <param name="nearest">One tap with weight 1 (the second weighs 0, which adds exactly nothing), at the pixel
    /// the coordinate falls in, an exact integer counting to the pixel before it as in Skia's gather.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static AxisTaps Taps(int count, float inverse, float toLevel, int size, bool nearest)
    {
        var near = new int[count];
        var far = new int[count];
        var nearWeight = new float[count];
        var farWeight = new float[count];
        // Clamp to [smallest positive float, size - 1 ulp], then truncate: Skia's gather clamp.
        float limit = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(size) - 1);
        for (int i = 0; i < count; i++)
        {
            // Times exactly 1 for the upper level.
            float c = (i + 0.5f) * inverse * toLevel;
            if (nearest)
            {
                float clamped = Math.Min(Math.Max(SmallestNormal, c), limit);
                near[i] = far[i] = (int)BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(clamped) - 1);
                nearWeight[i] = 1f;
                continue;
            }
            float f = c + 0.5f;
            f -= MathF.Floor(f);
            near[i] = (int)Math.Min(Math.Max(SmallestNormal, c - 0.5f), limit);
            far[i] = (int)Math.Min(Math.Max(SmallestNormal, c + 0.5f), limit);
            nearWeight[i] = 1f - f;
            farWeight[i] = f;
        }
        return new AxisTaps(near, far, nearWeight, farWeight);
    }

    /// <summary>One destination row of one level: four taps per pixel accumulated in Skia's order, (near x, near y),
    /// (far x, near y), (near x, far y), (far x, far y). Eight pixels at a time with AVX2 gathers where the CPU
    /// has them: each lane does the scalar loop's multiplies and adds in the same order, so the bits are the
    /// same.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SampleRow(float[] units, int w, AxisTaps cols, AxisTaps rows, int y, float[] result)
    {
        int topAt = rows.Near[y] * w, bottomAt = rows.Far[y] * w;
        float wy0 = rows.NearWeight[y], wy1 = rows.FarWeight[y];
        var near = cols.Near;
        var far = cols.Far;
        var nearWeight = cols.NearWeight;
        var farWeight = cols.FarWeight;
        int i = 0;
        if (Avx2.IsSupported)
        {
            var weightTop = Vector256.Create(wy0);
            var weightBottom = Vector256.Create(wy1);
            fixed (float* level = units)
            fixed (int* nearAt = near, farAt = far)
            fixed (float* nearW = nearWeight, farW = farWeight, output = result)
            {
                float* top = level + topAt, bottom = level + bottomAt;
                for (; i <= result.Length - 8; i += 8)
                {
                    var c0 = Avx.LoadVector256(nearAt + i);
                    var c1 = Avx.LoadVector256(farAt + i);
                    var wx0 = Avx.LoadVector256(nearW + i);
                    var wx1 = Avx.LoadVector256(farW + i);
                    var acc = wx0 * weightTop * Avx2.GatherVector256(top, c0, 4) + Vector256<float>.Zero;
                    acc = wx1 * weightTop * Avx2.GatherVector256(top, c1, 4) + acc;
                    acc = wx0 * weightBottom * Avx2.GatherVector256(bottom, c0, 4) + acc;
                    acc = wx1 * weightBottom * Avx2.GatherVector256(bottom, c1, 4) + acc;
                    Avx.Store(output + i, acc);
                }
            }
        }
        for (; i < result.Length; i++)
        {
            int c0 = near[i], c1 = far[i];
            float wx0 = nearWeight[i], wx1 = farWeight[i];
            float acc = wx0 * wy0 * units[topAt + c0] + 0f;
            acc = wx1 * wy0 * units[topAt + c1] + acc;
            acc = wx0 * wy1 * units[bottomAt + c0] + acc;
            acc = wx1 * wy1 * units[bottomAt + c1] + acc;
            result[i] = acc;
        }
    }

    /// <summary>A level's pixels as Skia's unit floats, i / 255.</summary>
    private static float[] ToUnits(GrayImage level)
    {
        var unit = Unit;
        var pixels = level.Pixels;
        var units = GC.AllocateUninitializedArray<float>(pixels.Length);
        for (int i = 0; i < pixels.Length; i++) units[i] = unit[pixels[i]];
        return units;
    }

    /// <summary>Clamped to [0, 1], scaled to 255 and rounded to nearest, ties to even (SSE's cvtps2dq).</summary>
    private static byte ToByte(float v) =>
        (byte)(int)MathF.Round(Math.Min(Math.Max(0f, v), 1f) * 255f, MidpointRounding.ToEven);

    private static float[] BuildUnit()
    {
        var unit = new float[256];
        for (int i = 0; i < 256; i++) unit[i] = i * (1f / 255f);
        return unit;
    }
}
