using Google.Protobuf;
using OcrForge.IO;

namespace OcrForge.Export;

/// <summary>
/// Serialises an <see cref="OnnxModel"/> as an ONNX ModelProto, field by field (numbers from onnx.proto), with
/// Google.Protobuf's wire-format writer: no generated ONNX classes are available for .NET. The one writer used by
/// export and quantization.
/// </summary>
public static class OnnxWriter
{
    public static void Save(string path, OnnxModel model) =>
        AtomicFile.Write(path, stream => stream.Write(Serialize(model)));

    public static byte[] Serialize(OnnxModel model) => Message(w =>
    {
        w.WriteTag(1, WireFormat.WireType.Varint); w.WriteInt64(OnnxModel.IrVersion);           // ir_version
        String(w, 2, model.ProducerName);                                                         // producer_name
        String(w, 3, model.ProducerVersion);                                                      // producer_version
        Nested(w, 7, Graph(model.Graph));                                                         // graph
        foreach (var (domain, version) in model.Opsets)                                           // opset_import
            Nested(w, 8, Message(o =>
            {
                if (domain.Length > 0) String(o, 1, domain);
                o.WriteTag(2, WireFormat.WireType.Varint); o.WriteInt64(version);
            }));
        foreach (var (key, value) in model.Metadata)                                              // metadata_props
            Nested(w, 14, Message(e => { String(e, 1, key); String(e, 2, value); }));
    });

    private static byte[] Graph(OnnxGraph graph) => Message(w =>
    {
        foreach (var node in graph.Nodes) Nested(w, 1, Node(node));                               // node
        String(w, 2, graph.Name);                                                                 // name
        foreach (var t in graph.Initializers) Nested(w, 5, Tensor(t));                            // initializer
        foreach (var v in graph.Inputs) Nested(w, 11, ValueInfo(v));                              // input
        foreach (var v in graph.Outputs) Nested(w, 12, ValueInfo(v));                             // output
    });

    private static byte[] Node(OnnxNode node) => Message(w =>
    {
        foreach (var i in node.Inputs) String(w, 1, i);
        foreach (var o in node.Outputs) String(w, 2, o);
        String(w, 3, node.Name);
        String(w, 4, node.OpType);
        foreach (var a in node.Attributes) Nested(w, 5, Attribute(a));
        if (node.Domain.Length > 0) String(w, 7, node.Domain);
    });

    // AttributeProto: name = 1, f = 2, i = 3, s = 4, t = 5, floats = 7, ints = 8, type = 20 (FLOAT 1, INT 2, STRING 3,
    // TENSOR 4, FLOATS 6, INTS 7).
    private static byte[] Attribute(OnnxAttribute attribute) => Message(w =>
    {
        String(w, 1, attribute.Name);
        int type;
        switch (attribute.Value)
        {
            case float f: w.WriteTag(2, WireFormat.WireType.Fixed32); w.WriteFloat(f); type = 1; break;
            case long i: w.WriteTag(3, WireFormat.WireType.Varint); w.WriteInt64(i); type = 2; break;
            case int i: w.WriteTag(3, WireFormat.WireType.Varint); w.WriteInt64(i); type = 2; break;
            case string s: String(w, 4, s); type = 3; break;
            case OnnxTensor t: Nested(w, 5, Tensor(t)); type = 4; break;
            case float[] fs:
                Packed(w, 7, fs.Length * 4, o => { foreach (var f in fs) o.WriteFloat(f); }); type = 6; break;
            case long[] ls:
                Packed(w, 8, ls.Sum(l => CodedOutputStream.ComputeInt64Size(l)),
                    o => { foreach (var l in ls) o.WriteInt64(l); });
                type = 7; break;
            default:
                throw new ArgumentException(
                    $"attribute {attribute.Name}: unsupported value type {attribute.Value.GetType().Name}");
        }
        w.WriteTag(20, WireFormat.WireType.Varint); w.WriteInt32(type);
    });

    // TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9.
    private static byte[] Tensor(OnnxTensor tensor) => Message(w =>
    {
        if (tensor.Dims.Length > 0)
            Packed(w, 1, tensor.Dims.Sum(d => CodedOutputStream.ComputeInt64Size(d)),
                o => { foreach (var d in tensor.Dims) o.WriteInt64(d); });
        w.WriteTag(2, WireFormat.WireType.Varint); w.WriteInt32((int)tensor.Type);
        String(w, 8, tensor.Name);
        w.WriteTag(9, WireFormat.WireType.LengthDelimited); w.WriteBytes(ByteString.CopyFrom(tensor.RawData));
    });

    // ValueInfoProto{name = 1, type = 2}; TypeProto{tensor_type = 1}; TypeProto.Tensor{elem_type = 1, shape = 2};
    // TensorShapeProto{dim = 1}; Dimension{dim_value = 1, dim_param = 2}.
    private static byte[] ValueInfo(OnnxValueInfo value) => Message(w =>
    {
        String(w, 1, value.Name);
        var shape = value.Shape is null ? null : Message(s =>
        {
            foreach (var d in value.Shape)
                Nested(s, 1, Message(dim =>
                {
                    if (d.Value is long v) { dim.WriteTag(1, WireFormat.WireType.Varint); dim.WriteInt64(v); }
                    else String(dim, 2, d.Param ?? "?");
                }));
        });
        var tensorType = Message(t =>
        {
            t.WriteTag(1, WireFormat.WireType.Varint); t.WriteInt32((int)value.Type);
            if (shape is not null) Nested(t, 2, shape);
        });
        Nested(w, 2, Message(t => Nested(t, 1, tensorType)));
    });

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var w = new CodedOutputStream(buffer, leaveOpen: true))
        {
            write(w);
            w.Flush();
        }
        return buffer.ToArray();
    }

    private static void Nested(CodedOutputStream w, int field, byte[] message)
    {
        // An embedded message is encoded exactly as a length-delimited bytes field.
        w.WriteTag(field, WireFormat.WireType.LengthDelimited);
        w.WriteBytes(ByteString.CopyFrom(message));
    }

    private static void String(CodedOutputStream w, int field, string value)
    {
        w.WriteTag(field, WireFormat.WireType.LengthDelimited);
        w.WriteString(value);
    }

    private static void Packed(CodedOutputStream w, int field, int byteLength, Action<CodedOutputStream> values)
    {
        w.WriteTag(field, WireFormat.WireType.LengthDelimited);
        w.WriteLength(byteLength);
        values(w);
    }
}
