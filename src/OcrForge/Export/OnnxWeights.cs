using System.Runtime.InteropServices;
using Google.Protobuf;
using OcrForge.Inference;

namespace OcrForge.Export;

/// <summary>How many weights a model file stores, and how many of them are not zero.</summary>
public sealed record WeightCount(long Total, long NonZero);

/// <summary>
/// Counts the weights of an ONNX file by reading its initializers from the protobuf wire format (ONNX Runtime does
/// not expose them). What counts: every initializer element except int64 tensors (shapes and axes, not weights)
/// and the scales and zero points of quantization, which describe the int8 weights rather than add to them.
/// </summary>
public static class OnnxWeights
{
    // Field numbers from onnx.proto.
    private const int ModelGraph = 7;
    private const int GraphNode = 1, GraphInitializer = 5;
    private const int NodeInput = 1, NodeOpType = 4;
    private const int TensorDims = 1, TensorDataType = 2, TensorFloatData = 4, TensorInt32Data = 5, TensorName = 8,
        TensorRawData = 9;
    private const int Float = 1, Int64 = 7, Float16 = 10, Double = 11;

    /// <summary>Inputs that hold quantization parameters, by operator: (scale, zero point) positions.</summary>
    private static readonly Dictionary<string, int[]> QuantizationInputs = new()
    {
        ["QuantizeLinear"] = [1, 2],
        ["DequantizeLinear"] = [1, 2],
        // X, W, R, B, sequence_lens, initial_h, initial_c, P, then W and R scales and zero points.
        ["DynamicQuantizeLSTM"] = [8, 9, 10, 11],
    };

    public static WeightCount Count(string path)
    {
        try
        {
            var graph = Fields(File.ReadAllBytes(path)).FirstOrDefault(f => f.Number == ModelGraph).Bytes
                ?? throw new OcrForgeException($"{path}: ONNX file without a graph");
            var fields = Fields(graph).ToList();
            var quantization = new HashSet<string>();
            foreach (var node in fields.Where(f => f.Number == GraphNode).Select(f => Fields(f.Bytes!).ToList()))
            {
                var op = node.FirstOrDefault(f => f.Number == NodeOpType).Bytes;
                if (op is null || !QuantizationInputs.TryGetValue(Text(op), out var positions)) continue;
                var inputs = node.Where(f => f.Number == NodeInput).Select(f => Text(f.Bytes!)).ToList();
                foreach (int p in positions.Where(p => p < inputs.Count)) quantization.Add(inputs[p]);
            }
            long total = 0, nonZero = 0;
            foreach (var tensor in fields.Where(f => f.Number == GraphInitializer).Select(f => Tensor(f.Bytes!)))
            {
                if (tensor.DataType == Int64 || quantization.Contains(tensor.Name)) continue;
                total += tensor.Elements;
                nonZero += tensor.NonZero;
            }
            return new WeightCount(total, nonZero);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OcrForgeException($"{path}: not a valid ONNX model ({e.Message})", e);
        }
    }

    private sealed record TensorCount(string Name, int DataType, long Elements, long NonZero);

    private static TensorCount Tensor(byte[] proto)
    {
        var dims = new List<long>();
        int type = 0;
        string name = "";
        long nonZero = 0;
        var input = new CodedInputStream(proto);
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case TensorDims when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                    var packed = new CodedInputStream(input.ReadBytes().ToByteArray());
                    while (!packed.IsAtEnd) dims.Add(packed.ReadInt64());
                    break;
                case TensorDims: dims.Add(input.ReadInt64()); break;
                case TensorDataType: type = input.ReadInt32(); break;
                case TensorName: name = input.ReadString(); break;
                case TensorRawData: nonZero = NonZeroRaw(input.ReadBytes().Span, type); break;
                case TensorFloatData when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                    nonZero = NonZeroRaw(input.ReadBytes().Span, Float);
                    break;
                case TensorInt32Data when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                    var ints = new CodedInputStream(input.ReadBytes().ToByteArray());
                    while (!ints.IsAtEnd) nonZero += ints.ReadInt32() != 0 ? 1 : 0;
                    break;
                default: input.SkipLastField(); break;
            }
        }
        return new TensorCount(name, type, dims.Aggregate(1L, (a, d) => a * d), nonZero);
    }

    /// <summary>Non-zero elements of little-endian raw data; -0.0 is zero (BatchNorm folding can flip a zero's
    /// sign).</summary>
    private static long NonZeroRaw(ReadOnlySpan<byte> data, int type)
    {
        long count = 0;
        switch (type)
        {
            case Float:
                foreach (var v in MemoryMarshal.Cast<byte, float>(data)) count += v != 0 ? 1 : 0;
                return count;
            case Double:
                foreach (var v in MemoryMarshal.Cast<byte, double>(data)) count += v != 0 ? 1 : 0;
                return count;
            case Float16:
                foreach (var v in MemoryMarshal.Cast<byte, ushort>(data))
                    count += (v & 0x7FFF) != 0 ? 1 : 0;
                return count;
            default:
                int size = ElementSize(type);
                for (int i = 0; i < data.Length; i += size)
                    count += data.Slice(i, size).ContainsAnyExcept((byte)0) ? 1 : 0;
                return count;
        }
    }

    /// <summary>Bytes per element of the integer TensorProto.DataType values (uint8 … uint64, bool).</summary>
    private static int ElementSize(int type) => type switch
    {
        2 or 3 or 9 => 1,
        4 or 5 => 2,
        6 or 12 => 4,
        7 or 13 => 8,
        _ => 1,
    };

    private readonly record struct Field(int Number, byte[]? Bytes);

    private static string Text(byte[] utf8) => System.Text.Encoding.UTF8.GetString(utf8);

    /// <summary>The top-level fields of a message; length-delimited ones carry their bytes, others are
    /// skipped.</summary>
    private static IEnumerable<Field> Fields(byte[] message)
    {
        var input = new CodedInputStream(message);
        var fields = new List<Field>();
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            if (WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
                fields.Add(new Field(WireFormat.GetTagFieldNumber(tag), input.ReadBytes().ToByteArray()));
            else
                input.SkipLastField();
        }
        return fields;
    }
}
