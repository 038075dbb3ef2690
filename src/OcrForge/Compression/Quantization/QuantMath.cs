namespace OcrForge.Compression.Quantization;

/// <summary>Scale and zero point of a linear quantizer: real = (q − ZeroPoint) · Scale.</summary>
public readonly record struct QuantParams(float Scale, int ZeroPoint);

/// <summary>The int8 arithmetic shared by calibration, QDQ weights and the recurrent-layer quantizer.</summary>
public static class QuantMath
{
    /// <summary>
    /// uint8 asymmetric parameters for activations. The range is widened to include 0 so that zero (conv padding,
    /// ReLU's floor) is represented exactly; a ReLU output gets zero point 0, which is what lets ONNX Runtime drop the
    /// ReLU.
    /// </summary>
    public static QuantParams UInt8(float min, float max)
    {
        min = Math.Min(min, 0f);
        max = Math.Max(max, 0f);
        float scale = max > min ? (max - min) / 255f : 1f;
        int zeroPoint = (int)Math.Clamp(MathF.Round(-min / scale), 0, 255);
        return new QuantParams(scale, zeroPoint);
    }

    /// <summary>int8 symmetric scale for weights: [−maxAbs, maxAbs] onto [−127, 127] (−128 unused keeps the range
    /// symmetric).</summary>
    public static float Int8Scale(ReadOnlySpan<float> values)
    {
        float maxAbs = 0;
        foreach (var v in values) maxAbs = Math.Max(maxAbs, Math.Abs(v));
        return maxAbs > 0 ? maxAbs / 127f : 1f;
    }

    public static sbyte ToInt8(float value, float scale) => (sbyte)Math.Clamp(MathF.Round(value / scale), -127, 127);

    public static byte ToUInt8(float value, QuantParams p) =>
        (byte)Math.Clamp(MathF.Round(value / p.Scale) + p.ZeroPoint, 0, 255);

    public static float FromUInt8(byte q, QuantParams p) => (q - p.ZeroPoint) * p.Scale;

    /// <summary>
    /// Quantizes a weight tensor to int8, per tensor or per channel along <paramref name="axis"/>
    /// (the output channel), returning the values and one scale per channel.
    /// </summary>
    public static (sbyte[] Values, float[] Scales) QuantizeWeights(float[] weights, long[] dims, int? axis)
    {
        if (axis is null)
        {
            float scale = Int8Scale(weights);
            return (weights.Select(w => ToInt8(w, scale)).ToArray(), [scale]);
        }
        // Element i belongs to channel (i / inner) mod channels, inner = product of the dimensions after the axis.
        int a = axis.Value;
        long channels = dims[a];
        long inner = dims.Skip(a + 1).Aggregate(1L, (x, d) => x * d);
        var scales = new float[channels];
        var maxAbs = new float[channels];
        for (long i = 0; i < weights.Length; i++)
        {
            long c = i / inner % channels;
            maxAbs[c] = Math.Max(maxAbs[c], Math.Abs(weights[i]));
        }
        for (int c = 0; c < channels; c++) scales[c] = maxAbs[c] > 0 ? maxAbs[c] / 127f : 1f;
        var values = new sbyte[weights.Length];
        for (long i = 0; i < weights.Length; i++) values[i] = ToInt8(weights[i], scales[i / inner % channels]);
        return (values, scales);
    }
}
