using System.Buffers.Binary;
using System.Text;
using OcrForge.Training;

namespace OcrForge.Tests.Training;

public class TensorBoardWriterTests
{
    [Fact]
    public void Crc32C_matches_the_published_check_value()
    {
        // RFC 3720 / the CRC catalogue: CRC-32C("123456789") = 0xE3069283.
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));
    }

    [Fact]
    public void Event_file_is_a_sequence_of_framed_records_with_valid_crcs_and_the_scalar_tags()
    {
        using var dir = new TempDir();
        string path;
        using (var writer = new TensorBoardWriter(dir.Path))
        {
            writer.Scalars(1, [new("loss/train", 2.5), new("accuracy/validation", 0.75)]);
            writer.Scalars(2, [new("loss/train", 1.25)]);
            path = writer.Path;
        }
        var bytes = File.ReadAllBytes(path);
        var records = new List<byte[]>();
        for (int at = 0; at < bytes.Length;)
        {
            var lengthBytes = bytes.AsSpan(at, 8);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            Assert.Equal(Crc32C.Masked(lengthBytes), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8, 4)));
            var data = bytes.AsSpan(at + 12, (int)length);
            Assert.Equal(Crc32C.Masked(data), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 12 + (int)length, 4)));
            records.Add(data.ToArray());
            at += 16 + (int)length;
        }
        Assert.Equal(3, records.Count);
        Assert.Contains("brain.Event:2", Encoding.UTF8.GetString(records[0]));
        Assert.Contains("accuracy/validation", Encoding.UTF8.GetString(records[1]));
        // simple_value 2.5f follows its tag as field 2, wire type 5 (0x15), little-endian.
        var withValue = new byte[] { 0x15 }.Concat(BitConverter.GetBytes(2.5f)).ToArray();
        Assert.True(records[1].AsSpan().IndexOf(withValue) > 0);
    }
}
