using OcrForge.Compression.Quantization;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary>What <c>quantize</c> prints without --json: each layer's precision and why, the sizes, and the
/// agreement with fp32 (and the held-out accuracy when measured).</summary>
public static class QuantizeOutput
{
    public static void Print(QuantizationResult result, string target, string calibratedOn, long floatBytes,
        HeldOutAccuracy? heldOut)
    {
        var table = new Table().AddColumns("layer", "op", "precision", "why");
        foreach (var l in result.Layers)
            table.AddRow(Markup.Escape(l.Layer), l.Op, l.Precision, Markup.Escape(l.Reason));
        AnsiConsole.Write(table);
        long int8Bytes = new FileInfo(target).Length;
        AnsiConsole.MarkupLine("[green]wrote[/] " + Markup.Escape(
            $"{target}: {int8Bytes / 1024.0:0.#} kB (fp32 ONNX {floatBytes / 1024.0:0.#} kB, " +
            $"{(double)floatBytes / int8Bytes:0.00}× smaller); {result.CalibrationImages} calibration images " +
            $"({calibratedOn}); predictions agree with fp32 on {result.Agreement:P1} of them"));
        if (heldOut is { } h)
            AnsiConsole.MarkupLine(Markup.Escape(
                $"held-out accuracy on {h.Images} images of {h.Data}: fp32 {h.Fp32:P2}, int8 {h.Int8:P2} " +
                $"(drop {(h.Fp32 - h.Int8) * 100:0.##} points)"));
    }
}
