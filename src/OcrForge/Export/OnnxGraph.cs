using System.Runtime.InteropServices;

namespace OcrForge.Export;

/// <summary>ONNX TensorProto.DataType values used by OcrForge graphs.</summary>
public enum OnnxDataType { Float = 1, UInt8 = 2, Int8 = 3, Int32 = 6, Int64 = 7 }

/// <summary>A constant tensor (an initializer or a Constant/attribute value). Data is little-endian raw bytes, as
/// TensorProto.raw_data.</summary>
public sealed record OnnxTensor(string Name, OnnxDataType Type, long[] Dims, byte[] RawData)
{
    public static OnnxTensor Float(string name, ReadOnlySpan<float> data, params long[] dims) =>
        new(name, OnnxDataType.Float, Checked(dims, data.Length), MemoryMarshal.AsBytes(data).ToArray());
    public static OnnxTensor Int64(string name, ReadOnlySpan<long> data, params long[] dims) =>
        new(name, OnnxDataType.Int64, Checked(dims, data.Length), MemoryMarshal.AsBytes(data).ToArray());
    public static OnnxTensor Int32(string name, ReadOnlySpan<int> data, params long[] dims) =>
        new(name, OnnxDataType.Int32, Checked(dims, data.Length), MemoryMarshal.AsBytes(data).ToArray());
    public static OnnxTensor Int8(string name, ReadOnlySpan<sbyte> data, params long[] dims) =>
        new(name, OnnxDataType.Int8, Checked(dims, data.Length), MemoryMarshal.AsBytes(data).ToArray());
    public static OnnxTensor UInt8(string name, ReadOnlySpan<byte> data, params long[] dims) =>
        new(name, OnnxDataType.UInt8, Checked(dims, data.Length), data.ToArray());

    public float[] Floats() => Type == OnnxDataType.Float ? MemoryMarshal.Cast<byte, float>(RawData).ToArray()
        : throw new InvalidOperationException($"{Name} is {Type}, not float");

    public long ElementCount => Dims.Aggregate(1L, (a, d) => a * d);

    private static long[] Checked(long[] dims, int count) =>
        dims.Aggregate(1L, (a, d) => a * d) == count ? dims
            : throw new ArgumentException($"shape [{string.Join(",", dims)}] does not hold {count} elements");
}

/// <summary>A node attribute: the value is a long, float, string, long[], float[] or
/// <see cref="OnnxTensor"/>.</summary>
public sealed record OnnxAttribute(string Name, object Value);

public sealed record OnnxNode(string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, string Name,
    IReadOnlyList<OnnxAttribute> Attributes, string Domain = "")
{
    public T? Attribute<T>(string name) => Attributes.FirstOrDefault(a => a.Name == name)?.Value is T v ? v : default;
}

/// <summary>
/// A graph input or output: element type and shape; a dimension without a value is symbolic (named by <c>Param</c>);
/// a null shape leaves the rank unknown (calibration taps on intermediate tensors).
/// </summary>
public sealed record OnnxValueInfo(string Name, OnnxDataType Type, IReadOnlyList<OnnxDim>? Shape);

public sealed record OnnxDim(long? Value, string? Param = null)
{
    public static implicit operator OnnxDim(long value) => new(value);
    public static OnnxDim Symbolic(string name) => new(null, name);
}

/// <summary>
/// An ONNX graph under construction: nodes in topological order, initializers, inputs and outputs. Builders add
/// nodes with <see cref="Add"/>, which names outputs uniquely, so graph code reads as a sequence of operations.
/// </summary>
public sealed class OnnxGraph(string name)
{
    private int _counter;

    public string Name { get; } = name;
    public List<OnnxNode> Nodes { get; } = [];
    public List<OnnxTensor> Initializers { get; } = [];
    public List<OnnxValueInfo> Inputs { get; } = [];
    public List<OnnxValueInfo> Outputs { get; } = [];

    public string Constant(OnnxTensor tensor)
    {
        Initializers.Add(tensor);
        return tensor.Name;
    }

    public string Int64s(string name, params long[] values) => Constant(OnnxTensor.Int64(name, values, values.Length));

    /// <summary>Adds a single-output node and returns its output name.</summary>
    public string Add(string opType, string[] inputs, string label, params OnnxAttribute[] attributes) =>
        AddMulti(opType, inputs, 1, label, attributes)[0];

    public string[] AddMulti(string opType, string[] inputs, int outputCount, string label, OnnxAttribute[] attributes,
        string domain = "")
    {
        string node = $"{label}/{opType}_{_counter++}";
        var outputs = Enumerable.Range(0, outputCount).Select(i => outputCount == 1 ? node : $"{node}:{i}").ToArray();
        Nodes.Add(new OnnxNode(opType, inputs, outputs, node, attributes, domain));
        return outputs;
    }

    /// <summary>A copy whose node, initializer and output lists can be changed without touching this graph.</summary>
    public OnnxGraph Clone()
    {
        var copy = new OnnxGraph(Name) { _counter = _counter };
        copy.Nodes.AddRange(Nodes);
        copy.Initializers.AddRange(Initializers);
        copy.Inputs.AddRange(Inputs);
        copy.Outputs.AddRange(Outputs);
        return copy;
    }

    /// <summary>The nodes reading <paramref name="tensor"/>.</summary>
    public IEnumerable<OnnxNode> Consumers(string tensor) => Nodes.Where(n => n.Inputs.Contains(tensor));

    public OnnxNode? Producer(string tensor) => Nodes.FirstOrDefault(n => n.Outputs.Contains(tensor));

    public OnnxTensor Initializer(string name) =>
        Initializers.FirstOrDefault(t => t.Name == name) ?? throw new KeyNotFoundException($"no initializer '{name}'");

    public bool IsInitializer(string name) => Initializers.Any(t => t.Name == name);
}

/// <summary>A whole ONNX model: a graph, the operator sets it uses, and string metadata (metadata_props).</summary>
public sealed class OnnxModel(OnnxGraph graph, IReadOnlyDictionary<string, string> metadata)
{
    /// <summary>ONNX Runtime's contrib domain (DynamicQuantizeLSTM).</summary>
    public const string MicrosoftDomain = "com.microsoft";

    /// <summary>IR version 8 (ONNX 1.10–1.12) and opset 17: read by current ONNX Runtime and by Debian's onnx 1.12
    /// checker.</summary>
    public const long IrVersion = 8;
    public const long DefaultOpset = 17;

    public OnnxGraph Graph { get; } = graph;
    public IReadOnlyDictionary<string, string> Metadata { get; } = metadata;
    public Dictionary<string, long> Opsets { get; } = new() { [""] = DefaultOpset };
    public string ProducerName { get; init; } = "OcrForge";
    public string ProducerVersion { get; init; } = typeof(OnnxModel).Assembly.GetName().Version?.ToString() ?? "0";
}
