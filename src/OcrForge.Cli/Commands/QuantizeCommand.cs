using System.CommandLine;
using OcrForge.Compression.Quantization;
using OcrForge.Data;
using OcrForge.Export;
using OcrForge.IO;
using OcrForge.Inference.Imaging;
using OcrForge.Models;
using OcrForge.Training.Classification;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary><c>ocrforge quantize</c>: post-training static int8 with calibration, written as an ONNX QDQ model.</summary>
public static class QuantizeCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model("Trained model (.ocrf).");
        var data = SharedOptions.Data("Calibration images (any dataset layout; labels unused).");
        var format = SharedOptions.Format();
        var batches = new Option<int>("--calib-batches") { Description = "Calibration batches.", DefaultValueFactory = _ => 10 };
        var batchSize = new Option<int>("--calib-batch-size") { Description = "Images per calibration batch.", DefaultValueFactory = _ => 16 };
        var perChannel = new Option<bool>("--per-channel") { Description = "One weight scale per output channel instead of per tensor." };
        var method = new Option<CalibrationMethod>("--calibration") { Description = "Activation ranges: minmax, percentile or entropy.", DefaultValueFactory = _ => CalibrationMethod.MinMax };
        var recurrent = new Option<RecurrentPolicy>("--recurrent") { Description = "LSTM layers: auto (int8 where predictions still agree), int8 or float.", DefaultValueFactory = _ => RecurrentPolicy.Auto };
        var evalData = new Option<string?>("--eval-data") { Description = "Labelled held-out images: report fp32 and int8 accuracy on them (never used for calibration)." };
        var split = new Option<string>("--split")
        {
            Description = "Calibrate on this part of the split the model was trained with (all, train, validation, test; text models: all, train, validation); default: train for a classifier that records its split, else all. Unlike eval and compare (default all), on purpose: calibration fits activation ranges to images, so held-out images stay unseen.",
        };
        var seed = SharedOptions.Seed("Seed for picking the calibration images.");
        var output = SharedOptions.Out("File to write (.onnx).");
        var json = SharedOptions.Json();
        var command = new Command("quantize", "Quantize a trained model to int8 (ONNX QDQ, calibrated activation ranges, per-layer choice for LSTMs).");
        foreach (var o in new Option[] { model, data, format, batches, batchSize, perChannel, method, recurrent, evalData, split, seed, output, json }) command.Options.Add(o);
        command.SetAction(parse => Cli.Run(() =>
        {
            var options = new QuantizationOptions
            {
                CalibrationBatches = Positive(parse.GetValue(batches), "--calib-batches"),
                BatchSize = Positive(parse.GetValue(batchSize), "--calib-batch-size"),
                PerChannel = parse.GetValue(perChannel),
                Calibration = parse.GetValue(method),
                Recurrent = parse.GetValue(recurrent),
            };
            string source = parse.GetValue(model)!, target = parse.GetValue(output)!;
            using var trained = TrainedModel.Load(source);
            var spec = trained.Manifest.Preprocess;
            var (images, from) = Calibration(trained, source, parse.GetValue(data)!, parse.GetValue(format), parse.GetValue(split), parse.GetValue(seed));

            var result = Int8Quantizer.Quantize(trained, images, options);
            OnnxWriter.Save(target, result.Model);

            bool asJson = parse.GetValue(json);
            var table = new Table().AddColumns("layer", "op", "precision", "why");
            foreach (var l in result.Layers) table.AddRow(Markup.Escape(l.Layer), l.Op, l.Precision, Markup.Escape(l.Reason));
            if (!asJson) AnsiConsole.Write(table);
            long floatBytes = OnnxWriter.Serialize(OnnxExporter.Export(trained)).Length, int8Bytes = new FileInfo(target).Length;
            (string, int, double, double)? heldOutResult = null;
            if (!asJson) AnsiConsole.MarkupLineInterpolated(
                $"[green]wrote[/] {target}: {int8Bytes / 1024.0:0.#} kB (fp32 ONNX {floatBytes / 1024.0:0.#} kB, {(double)floatBytes / int8Bytes:0.00}× smaller); {result.CalibrationImages} calibration images ({from}); predictions agree with fp32 on {result.Agreement:P1} of them");
            if (parse.GetValue(evalData) is { } heldOut)
            {
                var heldOutSet = DatasetReader.Read(heldOut, parse.GetValue(format));
                var samples = (spec.VariableWidth ? DatasetDecoder.Decode(heldOutSet, spec)
                    : DatasetDecoder.Decode(heldOutSet, spec.Width, spec.Height)).Samples;
                var truth = samples.Select(s => s.Label).ToList();
                var held = samples.Select(s => s.Image).ToList();
                double fp32 = Int8Quantizer.Agreement(truth, Int8Quantizer.Predict(OnnxExporter.Export(trained), held));
                double int8 = Int8Quantizer.Agreement(truth, Int8Quantizer.Predict(result.Model, held));
                heldOutResult = (heldOut, samples.Count, fp32, int8);
                if (!asJson) AnsiConsole.MarkupLineInterpolated(
                    $"held-out accuracy on {samples.Count} images of {heldOut}: fp32 {fp32:P2}, int8 {int8:P2} (drop {(fp32 - int8) * 100:0.##} points)");
            }
            if (asJson) JsonOutput.Write(CompressionJson.Quantize(result, source, target, from, floatBytes, heldOutResult));
            return Cli.Ok;
        }));
        return command;
    }

    /// <summary>
    /// The calibration images and where they came from. A classifier trained by OcrForge records its split, and by
    /// default calibrates on its training part only: when --data is the folder it was trained on, the held-out test
    /// images then stay unseen by every step, calibration included (labels are never used, but activation ranges are
    /// still fitted to the images).
    /// </summary>
    private static (GrayImage[] Images, string From) Calibration(TrainedModel trained, string modelPath, string data, DatasetFormat format, string? split, int seed)
    {
        bool classifier = trained.Manifest.Task == ModelTask.Classification;
        split ??= classifier && RecordedSplit.IsRecorded(trained.Manifest) ? "train" : "all";
        if (split == "all")
            return (Int8Quantizer.CalibrationImages(DatasetReader.Read(data, format), trained.Manifest.Preprocess, seed), $"all of {data}");
        if (!classifier) return TextCalibration(trained, modelPath, data, format, split, seed);
        var (_, images, _) = CharacterData.Load(data, format, spec: null, trained.Charset);
        var part = RecordedSplit.Select(images, trained, split, modelPath);
        return (Int8Quantizer.CalibrationImages(part.Select(i => i.Image), seed), $"the {split} part of {data}'s split");
    }

    /// <summary>A text model's part of its run's split (train or validation; CTC runs hold out no test part), from
    /// the run specification its file stores.</summary>
    private static (GrayImage[] Images, string From) TextCalibration(TrainedModel trained, string modelPath, string data, DatasetFormat format, string split, int seed)
    {
        if (split is not ("train" or "validation"))
            throw new Inference.OcrForgeException($"--split {split}: a text model's run has a train and a validation part; expected all, train or validation");
        var run = trained.Manifest.Run ?? throw new Inference.OcrForgeException(
            $"{modelPath}: the model file does not record its training run (written before run specifications); use --split all and a folder of training images");
        if (format == DatasetFormat.Auto) format = run.Data.Format;
        var (train, validation, _) = Training.CtcTraining.RecordedSplit(trained, data, format, run.Training, modelPath);
        var part = split == "train" ? train : validation;
        return (Int8Quantizer.CalibrationImages(part.Select(s => s.Image), seed), $"the {split} part of {data}'s split");
    }

    private static int Positive(int value, string option) =>
        value > 0 ? value : throw new Inference.OcrForgeException($"{option} {value}: expected a positive number");
}
