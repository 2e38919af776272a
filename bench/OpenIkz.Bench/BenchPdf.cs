using System.Globalization;
using System.Text;

namespace OpenIkz.Bench;

/// <summary>
/// A small, structurally valid PDF 1.7 (catalog, page tree, one page with a text line, Helvetica, xref,
/// trailer) of about <c>size</c> bytes. The size comes from an extra stream object of pseudo-random bytes
/// seeded by <c>n</c>, and the page text names <c>n</c>: every document differs, so the content-addressed
/// document store cannot deduplicate them, and the bytes do not compress.
/// </summary>
public static class BenchPdf
{
    public static byte[] Create(long n, int size = 100 * 1024)
    {
        var ms = new MemoryStream(size + 2048);
        var offsets = new List<long>();
        void Ascii(string s) { var b = Encoding.ASCII.GetBytes(s); ms.Write(b, 0, b.Length); }
        void Obj(string body) { offsets.Add(ms.Position); Ascii($"{offsets.Count} 0 obj\n{body}\nendobj\n"); }

        Ascii("%PDF-1.7\n%"); ms.Write([0xE2, 0xE3, 0xCF, 0xD3, (byte)'\n']);
        Obj("<< /Type /Catalog /Pages 2 0 R >>");
        Obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
        Obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>");
        var text = $"BT /F1 12 Tf 72 770 Td (OpenIKZ Benchmark - Zulassungsbescheinigung Teil II - Nr. {n.ToString(CultureInfo.InvariantCulture)}) Tj ET";
        Obj($"<< /Length {text.Length} >>\nstream\n{text}\nendstream");
        Obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");

        var padding = new byte[Math.Max(0, size - 1200)];
        new Random(unchecked((int)n) ^ 0x5eed).NextBytes(padding);
        offsets.Add(ms.Position);
        Ascii($"{offsets.Count} 0 obj\n<< /Length {padding.Length} >>\nstream\n");
        ms.Write(padding);
        Ascii("\nendstream\nendobj\n");

        var xref = ms.Position;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"xref\n0 {offsets.Count + 1}\n0000000000 65535 f \n");
        foreach (var o in offsets) sb.Append(CultureInfo.InvariantCulture, $"{o:D10} 00000 n \n");
        sb.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {offsets.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        Ascii(sb.ToString());
        return ms.ToArray();
    }
}
