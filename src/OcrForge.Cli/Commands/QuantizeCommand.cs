using System.CommandLine;
using OcrForge.Compression.Quantization;
using OcrForge.Export;
using OcrForge.Inference;
using OcrForge.IO;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary><c>ocrforge quantize</c>: post-training static int8 with calibration, written as an ONNX QDQ model.
/// </summary>
public static class QuantizeCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model("Trained model (.ocrf).");
        var data = SharedOptions.Data("Calibration images (any dataset layout; labels unused).");
        var format = SharedOptions.Format();
        var q = new QuantizeOptionSet();
        var evalData = new Option<string?>("--eval-data")
        {
            Description = "Labelled held-out images: report fp32 and int8 accuracy on them (never used for " +
                "calibration).",
        };
        var split = new Option<string>("--split")
        {
            Description = "Calibrate on this part of the split the model was trained with (all, train, validation, " +
                "test; text models: all, train, validation); default: train for a classifier that records its " +
                "split, else all. Unlike eval and compare (default all), on purpose: calibration fits activation " +
                "ranges to images, so held-out images stay unseen.",
        };
        var seed = SharedOptions.Seed("Seed for picking the calibration images.");
        var output = SharedOptions.Out("File to write (.onnx).");
        var threads = SharedOptions.Threads("Threads for calibration and for comparing the candidates (default: all "
            + "cores).");
        var json = SharedOptions.Json();
        var command = new Command("quantize",
            "Quantize a trained model to int8 (ONNX QDQ, calibrated activation ranges, per-layer choice for LSTMs).");
        foreach (var o in new Option[] { model, data, format }) command.Options.Add(o);
        q.AddTo(command);
        foreach (var o in new Option[] { evalData, split, seed, threads, output, json }) command.Options.Add(o);
        command.SetAction(parse => Cli.Run(() =>
        {
            var options = q.Read(parse) with { Threads = parse.GetValue(threads) };
            string source = parse.GetValue(model)!, target = parse.GetValue(output)!;
            using var trained = TrainedModel.Load(source);
            var calibration = CalibrationSet.Load(trained, source, parse.GetValue(data)!, parse.GetValue(format),
                parse.GetValue(split), parse.GetValue(seed));
            // --data and --eval-data may be the same folder: a bad file is named once.
            var skipped = new SkippedOnce(hint: null);
            skipped.Report(calibration.Problems);

            var result = Int8Quantizer.Quantize(trained, calibration.Images, options);
            OnnxWriter.Save(target, result.Model);
            long floatBytes = OnnxWriter.Serialize(OnnxExporter.Export(trained)).Length;
            var heldOut = parse.GetValue(evalData) is { } heldOutData
                ? HeldOutAccuracy.Measure(trained, result.Model, heldOutData, parse.GetValue(format),
                    parse.GetValue(threads))
                : null;
            if (heldOut is not null) skipped.Report(heldOut.Problems);
            if (parse.GetValue(json))
                JsonOutput.Write(CompressionJson.Quantize(result, source, target, calibration.From, floatBytes,
                    heldOut is null ? null : (heldOut.Data, heldOut.Images, heldOut.Fp32, heldOut.Int8)));
            else QuantizeOutput.Print(result, target, calibration.From, floatBytes, heldOut);
            return Cli.Ok;
        }));
        return command;
    }
}
