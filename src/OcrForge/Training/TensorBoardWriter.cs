using Google.Protobuf;

namespace OcrForge.Training;

/// <summary>
/// Writes scalars to a TensorBoard event file (<c>events.out.tfevents.*</c>) without TensorFlow. The file is a
/// sequence of records: uint64 length, masked CRC32C of the length, the bytes of an <c>Event</c> protobuf, masked
/// CRC32C of the bytes (little-endian). Event: wall_time = 1 (double), step = 2 (int64), file_version = 3 (string),
/// summary = 5; Summary: value = 1 (repeated); Summary.Value: tag = 1 (string), simple_value = 2 (float).
/// </summary>
public sealed class TensorBoardWriter : IDisposable
{
    private readonly FileStream _file;

    public TensorBoardWriter(string directory)
    {
        Directory.CreateDirectory(directory);
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        // The pid keeps two runs started in the same second apart (TensorBoard reads every file in the folder).
        Path = System.IO.Path.Combine(directory,
            $"events.out.tfevents.{now}.{Environment.MachineName}.{Environment.ProcessId}");
        _file = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
        WriteEvent(step: 0, e => e.WriteString("brain.Event:2", field: 3));
    }

    public string Path { get; }

    public void Scalars(long step, IEnumerable<KeyValuePair<string, double>> values)
    {
        WriteEvent(step, e =>
        {
            var summary = new MemoryStream();
            var s = new CodedOutputStream(summary);
            foreach (var (tag, value) in values)
            {
                var item = Message(v =>
                {
                    v.WriteTag(1, WireFormat.WireType.LengthDelimited);
                    v.WriteString(tag);
                    v.WriteTag(2, WireFormat.WireType.Fixed32);
                    v.WriteFloat((float)value);
                });
                s.WriteTag(1, WireFormat.WireType.LengthDelimited);
                s.WriteBytes(ByteString.CopyFrom(item));
            }
            s.Flush();
            e.WriteTag(5, WireFormat.WireType.LengthDelimited);
            e.WriteBytes(ByteString.CopyFrom(summary.ToArray()));
        });
        _file.Flush();
    }

    private void WriteEvent(long step, Action<EventWriter> body)
    {
        var bytes = Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.Fixed64);
            o.WriteDouble(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0);
            o.WriteTag(2, WireFormat.WireType.Varint);
            o.WriteInt64(step);
            body(new EventWriter(o));
        });
        var length = BitConverter.GetBytes((ulong)bytes.Length);
        if (!BitConverter.IsLittleEndian) Array.Reverse(length);
        _file.Write(length);
        _file.Write(LittleEndian(Crc32C.Masked(length)));
        _file.Write(bytes);
        _file.Write(LittleEndian(Crc32C.Masked(bytes)));
    }

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        write(output);
        output.Flush();
        return buffer.ToArray();
    }

    private static byte[] LittleEndian(uint value)
    {
        var b = BitConverter.GetBytes(value);
        if (!BitConverter.IsLittleEndian) Array.Reverse(b);
        return b;
    }

    public void Dispose() => _file.Dispose();

    /// <summary>The body of an Event being written: the fields after wall_time and step.</summary>
    private readonly struct EventWriter(CodedOutputStream output)
    {
        public void WriteString(string value, int field)
        {
            output.WriteTag(field, WireFormat.WireType.LengthDelimited);
            output.WriteString(value);
        }

        public void WriteTag(int field, WireFormat.WireType type) => output.WriteTag(field, type);
        public void WriteBytes(ByteString bytes) => output.WriteBytes(bytes);
    }
}

/// <summary>CRC-32C (Castagnoli), as TFRecord framing uses it, with TensorFlow's rotate-and-add mask.</summary>
public static class Crc32C
{
    private const uint Polynomial = 0x82F63B78; // reflected 0x1EDC6F41
    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    /// <summary>Masked so that a CRC stored inside data that is itself CRC'd does not produce degenerate
    /// values.</summary>
    public static uint Masked(ReadOnlySpan<byte> data)
    {
        uint crc = Compute(data);
        return ((crc >> 15) | (crc << 17)) + 0xA282EAD8;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? Polynomial ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }
}
