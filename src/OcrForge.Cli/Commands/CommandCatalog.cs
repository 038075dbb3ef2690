using System.CommandLine;

namespace OcrForge.Cli.Commands;

/// <summary>
/// Every top-level command, in the order of the flow: data → train → eval/predict → compress → export → bench → serve.
/// </summary>
public static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        Command[] commands = Commands();
        foreach (var command in commands) AddExamples(command, "");
        return commands;
    }

    private static Command[] Commands() =>
    [
        DemoCommand.Create(),
        DataCommands.Create(),
        TrainCommands.Create(),
        TuneCommands.Create(),
        EvalCommand.Create(),
        PredictCommand.Create(),
        PruneCommand.Create(),
        QuantizeCommand.Create(),
        ExportCommand.Create(),
        BenchCommands.Create(BenchTrainCommand.Create(), BenchServeCommand.Create(), BenchTuneQualityCommand.Create()),
        CompareCommand.Create(),
        ServeCommand.Create(),
        DoctorCommand.Create(),
    ];

    /// <summary>
    /// One example line per runnable command, shown at the end of its help; kept here so they read alike.
    /// </summary>
    private static readonly Dictionary<string, string> Examples = new()
    {
        ["demo"] = "ocrforge demo --work demo/",
        ["data show"] = "ocrforge data show --data ../shared/data/captcha_images_v2 --out grid.png",
        ["data synth"] = "ocrforge data synth --kind captcha --count 2000 --out synth/captchas --seed 1",
        ["train ctc"] = "ocrforge train ctc --data ../shared/data/captcha_images_v2 --out captcha.ocrf",
        ["train classify"] = "ocrforge train classify --data GoodImg/Bmp --format chars74k --out chars.ocrf",
        ["tune run"] = "ocrforge tune run --space space.yaml --objective ctc --data captchas/ --storage study.db "
            + "--study crnn --trials 40",
        ["tune enqueue"] = "ocrforge tune enqueue --space space.yaml --storage study.db --study crnn lr=0.003",
        ["tune status"] = "ocrforge tune status --storage study.db --study crnn",
        ["tune best"] = "ocrforge tune best --storage study.db --study crnn --json",
        ["tune space"] = "ocrforge tune space --objective ctc --out space.yaml",
        ["tune export"] = "ocrforge tune export --storage study.db --study crnn --csv --out trials.csv",
        ["eval"] = "ocrforge eval --model captcha.ocrf --data test/ --json",
        ["predict"] = "ocrforge predict --model captcha.ocrf a.png b.png",
        ["prune"] = "ocrforge prune --model captcha.ocrf --data train/ --sparsity 0.5 --out captcha.pruned.ocrf",
        ["quantize"] = "ocrforge quantize --model captcha.ocrf --data train/ --per-channel --out captcha.int8.onnx",
        ["export"] = "ocrforge export --model captcha.ocrf --out captcha.onnx",
        ["bench"] = "ocrforge bench --model captcha.ocrf captcha.int8.onnx --engine all --data test/ --batch 1,64",
        ["bench train"] = "ocrforge bench train --data ../shared/data/captcha_images_v2",
        ["bench serve"] = "ocrforge bench serve --url http://127.0.0.1:5080 --data test/ --concurrency 1,8,32",
        ["bench tune-quality"] = "ocrforge bench tune-quality --function branin --sampler tpe,random --seeds 5 --json",
        ["compare"] = "ocrforge compare --model m.ocrf m.pruned.ocrf m.onnx m.int8.onnx --data test/ --out report/",
        ["serve"] = "ocrforge serve -m captcha.int8.onnx",
        ["doctor"] = "ocrforge doctor --json > doctor.json",
    };

    private static void AddExamples(Command command, string parent)
    {
        string path = $"{parent} {command.Name}".Trim();
        if (Examples.TryGetValue(path, out var example) && command.Description?.Contains("Example:") != true)
            command.Description += $"\nExample: {example}";
        foreach (var sub in command.Subcommands) AddExamples(sub, path);
    }
}
