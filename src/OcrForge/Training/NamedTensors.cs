using TorchSharp;
using static TorchSharp.torch;

namespace OcrForge.Training;

/// <summary>
/// The checkpoint format of a set of named tensors (best weights, weight average): a count, then each name and its
/// tensor. Reading fills tensors the caller provides, so dtype and shape come from the model, not from the file.
/// </summary>
internal static class NamedTensors
{
    public static void Write(BinaryWriter writer, IReadOnlyDictionary<string, Tensor>? tensors)
    {
        writer.Write(tensors?.Count ?? 0);
        foreach (var (name, tensor) in tensors ?? new Dictionary<string, Tensor>())
        {
            writer.Write(name);
            tensor.Save(writer);
        }
    }

    /// <param name="into">The tensor to load the named entry into (throws for a name it does not know).</param>
    /// <returns>How many entries were read.</returns>
    public static int Read(BinaryReader reader, Func<string, Tensor> into)
    {
        int count = reader.ReadInt32();
        for (int i = 0; i < count; i++) into(reader.ReadString()).Load(reader);
        return count;
    }
}
