using System.CommandLine;
using OcrForge.Compression.Quantization;
using OcrForge.Inference;

namespace OcrForge.Cli.Commands;

/// <summary><c>quantize</c>'s options that map onto <see cref="QuantizationOptions"/>.</summary>
public sealed class QuantizeOptionSet
{
    private readonly Option<int> _batches =
        new("--calib-batches") { Description = "Calibration batches.", DefaultValueFactory = _ => 10 };

    private readonly Option<int> _batchSize =
        new("--calib-batch-size") { Description = "Images per calibration batch.", DefaultValueFactory = _ => 16 };

    private readonly Option<bool> _perChannel =
        new("--per-channel") { Description = "One weight scale per output channel instead of per tensor." };

    private readonly Option<CalibrationMethod> _method = new("--calibration")
    {
        Description = "Activation ranges: minmax, percentile or entropy.",
        DefaultValueFactory = _ => CalibrationMethod.MinMax,
    };

    private readonly Option<RecurrentPolicy> _recurrent = new("--recurrent")
    {
        Description = "LSTM layers: auto (int8 where predictions still agree), int8 or float.",
        DefaultValueFactory = _ => RecurrentPolicy.Auto,
    };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { _batches, _batchSize, _perChannel, _method, _recurrent })
            command.Options.Add(o);
    }

    public QuantizationOptions Read(ParseResult parse) => new()
    {
        CalibrationBatches = Positive(parse.GetValue(_batches), "--calib-batches"),
        BatchSize = Positive(parse.GetValue(_batchSize), "--calib-batch-size"),
        PerChannel = parse.GetValue(_perChannel),
        Calibration = parse.GetValue(_method),
        Recurrent = parse.GetValue(_recurrent),
    };

    private static int Positive(int value, string option) =>
        value > 0 ? value : throw new OcrForgeException($"{option} {value}: expected a positive number");
}
