using System.Buffers.Binary;
using System.Text;

namespace OpenIkz.Infrastructure.Pdf;

/// <summary>
/// A minimal ICC v2.1 display profile for sRGB (IEC 61966-2-1), built in code for the PDF/A output
/// intent so no profile file has to be shipped: D50-adapted colorants and a 1024-point tone curve of
/// the sRGB transfer function, with the values of the widely used "sRGB IEC61966-2.1" profile.
/// </summary>
internal static class SrgbProfile
{
    public const string Description = "sRGB IEC61966-2.1";

    private static readonly Lazy<byte[]> Bytes = new(Build);

    public static byte[] Data => Bytes.Value;

    private static byte[] Build()
    {
        var desc = TextDescription(Description);
        var cprt = Text("No copyright, use freely");
        var wtpt = Xyz(0.9505, 1.0, 1.089);
        var rXyz = Xyz(0.4361, 0.2225, 0.0139);
        var gXyz = Xyz(0.3851, 0.7169, 0.0971);
        var bXyz = Xyz(0.1431, 0.0606, 0.7141);
        var trc = ToneCurve();
        var tags = new (string Sig, byte[] Data)[]
        {
            ("desc", desc), ("cprt", cprt), ("wtpt", wtpt), ("rXYZ", rXyz), ("gXYZ", gXyz), ("bXYZ", bXyz),
            ("rTRC", trc), ("gTRC", trc), ("bTRC", trc),
        };

        var body = new MemoryStream();
        var table = new byte[4 + 12 * tags.Length];
        BinaryPrimitives.WriteUInt32BigEndian(table, (uint)tags.Length);
        var dataStart = 128 + table.Length;
        var written = new Dictionary<byte[], int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < tags.Length; i++)
        {
            var (sig, data) = tags[i];
            if (!written.TryGetValue(data, out var offset))
            {
                offset = dataStart + (int)body.Length;
                written[data] = offset;
                body.Write(data);
                while (body.Length % 4 != 0) body.WriteByte(0);
            }
            Encoding.ASCII.GetBytes(sig, table.AsSpan(4 + 12 * i));
            BinaryPrimitives.WriteUInt32BigEndian(table.AsSpan(4 + 12 * i + 4), (uint)offset);
            BinaryPrimitives.WriteUInt32BigEndian(table.AsSpan(4 + 12 * i + 8), (uint)data.Length);
        }

        var size = dataStart + (int)body.Length;
        var header = new byte[128];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)size);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(8), 0x02100000); // version 2.1
        Encoding.ASCII.GetBytes("mntr", header.AsSpan(12));
        Encoding.ASCII.GetBytes("RGB ", header.AsSpan(16));
        Encoding.ASCII.GetBytes("XYZ ", header.AsSpan(20));
        // Creation date 2024-01-01 00:00:00 (fixed, so the profile and every PDF are reproducible).
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(24), 2024);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(26), 1);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(28), 1);
        Encoding.ASCII.GetBytes("acsp", header.AsSpan(36));
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(64), 0); // perceptual intent
        S15Fixed16(header.AsSpan(68), 0.9642);
        S15Fixed16(header.AsSpan(72), 1.0);
        S15Fixed16(header.AsSpan(76), 0.8249);
        return [.. header, .. table, .. body.ToArray()];
    }

    private static byte[] Xyz(double x, double y, double z)
    {
        var data = new byte[20];
        Encoding.ASCII.GetBytes("XYZ ", data);
        S15Fixed16(data.AsSpan(8), x);
        S15Fixed16(data.AsSpan(12), y);
        S15Fixed16(data.AsSpan(16), z);
        return data;
    }

    private static byte[] ToneCurve()
    {
        const int points = 1024;
        var data = new byte[12 + 2 * points];
        Encoding.ASCII.GetBytes("curv", data);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(8), points);
        for (var i = 0; i < points; i++)
        {
            var v = i / (double)(points - 1);
            var linear = v <= 0.04045 ? v / 12.92 : Math.Pow((v + 0.055) / 1.055, 2.4);
            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(12 + 2 * i), (ushort)Math.Round(linear * 65535));
        }
        return data;
    }

    private static byte[] TextDescription(string text)
    {
        // textDescriptionType: ASCII part, empty Unicode part, empty ScriptCode part (67 bytes).
        var ascii = Encoding.ASCII.GetBytes(text + "\0");
        var data = new byte[12 + ascii.Length + 8 + 3 + 67];
        Encoding.ASCII.GetBytes("desc", data);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(8), (uint)ascii.Length);
        ascii.CopyTo(data, 12);
        return data;
    }

    private static byte[] Text(string text)
    {
        var ascii = Encoding.ASCII.GetBytes(text + "\0");
        var data = new byte[8 + ascii.Length];
        Encoding.ASCII.GetBytes("text", data);
        ascii.CopyTo(data, 8);
        return data;
    }

    private static void S15Fixed16(Span<byte> target, double value)
        => BinaryPrimitives.WriteInt32BigEndian(target, (int)Math.Round(value * 65536));
}
