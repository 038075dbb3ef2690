using System.IO.Compression;
using System.Text.Json;
using OcrForge.Inference;
using OcrForge.IO;
using static TorchSharp.torch;

namespace OcrForge.Training;

/// <summary>Where a run stands after an epoch: everything besides tensors that resuming needs.</summary>
public sealed record CheckpointState(
    int CompletedEpochs,
    string ModelConfig,
    string OptimizerKind,
    PlateauState Plateau,
    List<EpochRecord> History);

/// <summary>
/// A training checkpoint: a zip with <c>state.json</c>, the current weights (incl. BatchNorm statistics), the
/// optimizer's state (Adam moments and step counts), the best weights so far, and the weight average and the task's
/// own state when there are. Written atomically after every
/// epoch, so an interrupted run always finds the last complete epoch. Randomness needs no state here: the trainer
/// derives every epoch's order, augmentation and torch seed from (seed, epoch).
/// </summary>
public static class Checkpoint
{
    // Infinity (no best loss yet) and NaN (no training accuracy) are legitimate values here.
    private static readonly JsonSerializerOptions Json = new(ModelFile.Json)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private const string StateEntry = "state.json", WeightsEntry = "weights.bin", OptimizerEntry = "optimizer.bin",
        BestEntry = "best.bin", TaskEntry = "task.bin", AverageEntry = "average.bin";

    public static void Save(string path, CheckpointState state, nn.Module model,
        TorchSharp.Modules.OptimizerHelper optimizer, BestWeights best, ICheckpointedTask? task = null,
        WeightAverage? average = null)
    {
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            using (var e = zip.CreateEntry(StateEntry).Open()) JsonSerializer.Serialize(e, state, Json);
            Binary(zip, WeightsEntry, w => model.save(w));
            Binary(zip, OptimizerEntry, optimizer.save_state_dict);
            Binary(zip, BestEntry, best.Save);
            if (task is not null) Binary(zip, TaskEntry, task.SaveState);
            if (average is not null) Binary(zip, AverageEntry, average.Save);
        });
    }

    /// <summary>Reads only the state, to decide whether and where to resume.</summary>
    public static CheckpointState ReadState(string path)
    {
        using var zip = Open(path);
        return ReadState(zip, path);
    }

    /// <summary>Loads weights, optimizer state and best weights into the given objects; returns the state.</summary>
    public static CheckpointState Load(string path, string expectedConfig, OptimizerKind optimizerKind, nn.Module model,
        TorchSharp.Modules.OptimizerHelper optimizer, BestWeights best, ICheckpointedTask? task = null,
        WeightAverage? average = null)
    {
        using var zip = Open(path);
        var state = ReadState(zip, path);
        if (state.ModelConfig != expectedConfig)
            throw new OcrForgeException($"{path}: checkpoint is of a different model "
                + "(architecture or charset changed); delete it or drop --resume");
        if (state.OptimizerKind != optimizerKind.ToString())
            throw new OcrForgeException($"{path}: checkpoint was trained with --optimizer "
                + $"{state.OptimizerKind.ToLowerInvariant()}; resume with the same optimizer or drop --resume");
        if ((task is not null) != (zip.GetEntry(TaskEntry) is not null))
            throw new OcrForgeException($"{path}: checkpoint is of a run {(task is null ? "with" : "without")} "
                + "--semi-supervised; resume it the same way or drop --resume");
        if ((average is not null) != (zip.GetEntry(AverageEntry) is not null))
            throw new OcrForgeException($"{path}: checkpoint is of a run {(average is null ? "with" : "without")} "
                + "--ema; resume it the same way or drop --resume");
        try
        {
            Read(zip, path, WeightsEntry, r => model.load(r, strict: true));
            Read(zip, path, OptimizerEntry, optimizer.load_state_dict);
            Read(zip, path, BestEntry, r => best.Load(r, model));
            if (task is not null) Read(zip, path, TaskEntry, task.LoadState);
            if (average is not null) Read(zip, path, AverageEntry, average.Load);
        }
        catch (Exception e)
            when (e is InvalidDataException or ArgumentException or EndOfStreamException or KeyNotFoundException)
        {
            throw new OcrForgeException($"{path}: damaged checkpoint ({e.Message}); delete it or drop --resume", e);
        }
        return state;
    }

    private static void Binary(ZipArchive zip, string name, Action<BinaryWriter> write)
    {
        using var entry = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
        using var writer = new BinaryWriter(entry);
        write(writer);
    }

    private static void Read(ZipArchive zip, string path, string name, Action<BinaryReader> read)
    {
        var entry = zip.GetEntry(name) ?? throw new OcrForgeException($"{path}: damaged checkpoint (no {name})");
        // Zip streams do not seek; TorchSharp's loaders read sequentially but some check the length.
        using var buffer = new MemoryStream();
        using (var s = entry.Open()) s.CopyTo(buffer);
        buffer.Position = 0;
        using var reader = new BinaryReader(buffer);
        read(reader);
    }

    private static ZipArchive Open(string path)
    {
        try
        {
            return new ZipArchive(File.OpenRead(path), ZipArchiveMode.Read);
        }
        catch (InvalidDataException)
        {
            throw new OcrForgeException($"{path}: not a training checkpoint; delete it or drop --resume");
        }
    }

    private static CheckpointState ReadState(ZipArchive zip, string path)
    {
        var entry = zip.GetEntry(StateEntry)
            ?? throw new OcrForgeException($"{path}: not a training checkpoint (no {StateEntry})");
        try
        {
            using var s = entry.Open();
            return JsonSerializer.Deserialize<CheckpointState>(s, Json) ?? throw new JsonException("empty state");
        }
        catch (JsonException e)
        {
            throw new OcrForgeException($"{path}: damaged checkpoint ({e.Message.Split('\n')[0]})", e);
        }
    }
}
