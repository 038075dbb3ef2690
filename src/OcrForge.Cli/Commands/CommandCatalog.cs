using System.CommandLine;

namespace OcrForge.Cli.Commands;

/// <summary>Every top-level command, in the order of the flow: data → train → eval/predict → compress → export → bench → serve.</summary>
public static class CommandCatalog
{
    public static IEnumerable<Command> All() =>
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
        BenchCommands.Create(BenchTrainCommand.Create(), BenchServeCommand.Create()),
        CompareCommand.Create(),
        ServeCommand.Create(),
        DoctorCommand.Create(),
    ];
}
