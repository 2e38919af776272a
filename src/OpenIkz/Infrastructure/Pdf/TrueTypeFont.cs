using System.Buffers.Binary;
using System.Text;

namespace OpenIkz.Infrastructure.Pdf;

/// <summary>
/// Reads what the PDF writer needs from a TrueType (glyf) font: the Unicode → glyph map (cmap
/// format 12 or 4), advance widths, the metrics of the font descriptor, and writes a subset that
/// holds only the glyphs a document uses (plus .notdef and the components of composite glyphs).
/// </summary>
internal sealed class TrueTypeFont
{
    private readonly byte[] _data;
    private readonly Dictionary<string, (int Offset, int Length)> _tables = [];
    private readonly Dictionary<int, ushort> _cmap = [];
    private readonly ushort[] _advances;
    private readonly short[] _leftBearings;
    private readonly int[] _loca;

    public TrueTypeFont(byte[] data, string postScriptName)
    {
        _data = data;
        PostScriptName = postScriptName;
        var count = U16(4);
        for (var i = 0; i < count; i++)
        {
            var record = 12 + 16 * i;
            var tag = Encoding.ASCII.GetString(data, record, 4);
            _tables[tag] = ((int)U32(record + 8), (int)U32(record + 12));
        }
        foreach (var required in new[] { "head", "hhea", "maxp", "hmtx", "loca", "glyf", "cmap" })
        {
            if (!_tables.ContainsKey(required)) throw new FormatException($"Font {postScriptName} has no '{required}' table (only TrueType outlines are supported).");
        }

        var head = Table("head");
        UnitsPerEm = U16(head + 18);
        BBox = [S16(head + 36), S16(head + 38), S16(head + 40), S16(head + 42)];
        var longLoca = S16(head + 50) == 1;
        GlyphCount = U16(Table("maxp") + 4);
        var hhea = Table("hhea");
        Ascent = S16(hhea + 4);
        Descent = S16(hhea + 6);
        CapHeight = Ascent;
        if (_tables.TryGetValue("OS/2", out var os2) && os2.Length >= 90 && U16(os2.Offset) >= 2) CapHeight = S16(os2.Offset + 88);

        var metrics = U16(hhea + 34);
        var hmtx = Table("hmtx");
        _advances = new ushort[GlyphCount];
        _leftBearings = new short[GlyphCount];
        for (var g = 0; g < GlyphCount; g++)
        {
            if (g < metrics)
            {
                _advances[g] = U16(hmtx + 4 * g);
                _leftBearings[g] = S16(hmtx + 4 * g + 2);
            }
            else
            {
                _advances[g] = _advances[metrics - 1];
                _leftBearings[g] = S16(hmtx + 4 * metrics + 2 * (g - metrics));
            }
        }

        var loca = Table("loca");
        _loca = new int[GlyphCount + 1];
        for (var g = 0; g <= GlyphCount; g++)
            _loca[g] = longLoca ? (int)U32(loca + 4 * g) : U16(loca + 2 * g) * 2;

        ReadCmap();
    }

    public string PostScriptName { get; }
    public int UnitsPerEm { get; }
    public int GlyphCount { get; }
    public short[] BBox { get; }
    public int Ascent { get; }
    public int Descent { get; }
    public int CapHeight { get; }

    /// <summary>The glyph for a Unicode scalar value, or 0 (.notdef) when the font has none.</summary>
    public ushort GlyphId(int codePoint) => _cmap.TryGetValue(codePoint, out var g) ? g : (ushort)0;

    /// <summary>Advance width in 1/1000 em, rounded as the PDF /W array states it.</summary>
    public int Advance(ushort glyph) => (int)Math.Round(_advances[glyph] * 1000.0 / UnitsPerEm, MidpointRounding.AwayFromZero);

    /// <summary>Scales a value in font units to 1/1000 em.</summary>
    public int Scale(int fontUnits) => (int)Math.Round(fontUnits * 1000.0 / UnitsPerEm, MidpointRounding.AwayFromZero);

    /// <summary>
    /// A TrueType font with only <paramref name="glyphs"/>, .notdef and the components they need,
    /// numbered compactly; <paramref name="newGlyphIds"/> maps each original glyph id to its id in the subset.
    /// </summary>
    public byte[] Subset(IEnumerable<ushort> glyphs, out IReadOnlyDictionary<ushort, ushort> newGlyphIds)
    {
        var keep = new SortedSet<ushort> { 0 };
        var pending = new Stack<ushort>(glyphs);
        while (pending.Count > 0)
        {
            var g = pending.Pop();
            if (g >= GlyphCount || !keep.Add(g)) continue;
            foreach (var component in Components(g)) if (!keep.Contains(component)) pending.Push(component);
        }
        var order = keep.ToList();
        var map = new Dictionary<ushort, ushort>();
        for (var i = 0; i < order.Count; i++) map[order[i]] = (ushort)i;
        newGlyphIds = map;

        var glyf = new MemoryStream();
        var loca = new byte[4 * (order.Count + 1)];
        var glyfStart = Table("glyf");
        for (var i = 0; i < order.Count; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(loca.AsSpan(4 * i), (uint)glyf.Length);
            var g = order[i];
            var bytes = _data.AsSpan(glyfStart + _loca[g], _loca[g + 1] - _loca[g]).ToArray();
            if (bytes.Length >= 10 && BinaryPrimitives.ReadInt16BigEndian(bytes) < 0) RenumberComponents(bytes, map);
            glyf.Write(bytes);
            while (glyf.Length % 4 != 0) glyf.WriteByte(0);
        }
        BinaryPrimitives.WriteUInt32BigEndian(loca.AsSpan(4 * order.Count), (uint)glyf.Length);

        var hmtx = new byte[4 * order.Count];
        for (var i = 0; i < order.Count; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(hmtx.AsSpan(4 * i), _advances[order[i]]);
            BinaryPrimitives.WriteInt16BigEndian(hmtx.AsSpan(4 * i + 2), _leftBearings[order[i]]);
        }

        var head = Copy("head");
        BinaryPrimitives.WriteUInt32BigEndian(head.AsSpan(8), 0); // checkSumAdjustment, set below
        BinaryPrimitives.WriteInt16BigEndian(head.AsSpan(50), 1); // long loca
        var hhea = Copy("hhea");
        BinaryPrimitives.WriteUInt16BigEndian(hhea.AsSpan(34), (ushort)order.Count);
        var maxp = Copy("maxp");
        BinaryPrimitives.WriteUInt16BigEndian(maxp.AsSpan(4), (ushort)order.Count);
        var post = new byte[32];
        Array.Copy(_data, Table("post"), post, 0, Math.Min(32, _tables["post"].Length));
        BinaryPrimitives.WriteUInt32BigEndian(post, 0x00030000); // version 3: no glyph names

        var tables = new SortedDictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["glyf"] = glyf.ToArray(), ["head"] = head, ["hhea"] = hhea, ["hmtx"] = hmtx,
            ["loca"] = loca, ["maxp"] = maxp, ["post"] = post,
        };
        foreach (var optional in new[] { "OS/2", "cvt ", "fpgm", "prep", "gasp", "name" })
            if (_tables.ContainsKey(optional)) tables[optional] = Copy(optional);
        var font = Assemble(tables);
        var adjustment = unchecked(0xB1B0AFBA - Checksum(font));
        var headOffset = FindTableOffset(font, "head");
        BinaryPrimitives.WriteUInt32BigEndian(font.AsSpan(headOffset + 8), adjustment);
        return font;
    }

    private static byte[] Assemble(SortedDictionary<string, byte[]> tables)
    {
        var count = tables.Count;
        var entrySelector = (int)Math.Floor(Math.Log2(count));
        var searchRange = (1 << entrySelector) * 16;
        var header = new byte[12 + 16 * count];
        BinaryPrimitives.WriteUInt32BigEndian(header, 0x00010000);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), (ushort)count);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(6), (ushort)searchRange);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(8), (ushort)entrySelector);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(10), (ushort)(count * 16 - searchRange));
        var body = new MemoryStream();
        var i = 0;
        foreach (var (tag, data) in tables)
        {
            var record = header.AsSpan(12 + 16 * i++);
            Encoding.ASCII.GetBytes(tag, record);
            BinaryPrimitives.WriteUInt32BigEndian(record[4..], Checksum(data));
            BinaryPrimitives.WriteUInt32BigEndian(record[8..], (uint)(header.Length + body.Length));
            BinaryPrimitives.WriteUInt32BigEndian(record[12..], (uint)data.Length);
            body.Write(data);
            while (body.Length % 4 != 0) body.WriteByte(0);
        }
        return [.. header, .. body.ToArray()];
    }

    private static int FindTableOffset(byte[] font, string tag)
    {
        var count = BinaryPrimitives.ReadUInt16BigEndian(font.AsSpan(4));
        for (var i = 0; i < count; i++)
        {
            if (Encoding.ASCII.GetString(font, 12 + 16 * i, 4) == tag)
                return (int)BinaryPrimitives.ReadUInt32BigEndian(font.AsSpan(12 + 16 * i + 8));
        }
        throw new InvalidOperationException($"No '{tag}' table.");
    }

    private static uint Checksum(byte[] data)
    {
        uint sum = 0;
        for (var i = 0; i < data.Length; i += 4)
        {
            uint word = 0;
            for (var k = 0; k < 4; k++) word = (word << 8) | (i + k < data.Length ? data[i + k] : 0u);
            sum = unchecked(sum + word);
        }
        return sum;
    }

    // Composite glyph flags (OpenType 'glyf' table).
    private const ushort ArgsAreWords = 0x0001, HaveScale = 0x0008, MoreComponents = 0x0020, HaveXYScale = 0x0040, HaveTwoByTwo = 0x0080;

    private IEnumerable<ushort> Components(ushort glyph)
    {
        var start = Table("glyf") + _loca[glyph];
        if (_loca[glyph + 1] - _loca[glyph] < 10 || S16(start) >= 0) yield break;
        var p = start + 10;
        ushort flags;
        do
        {
            flags = U16(p);
            yield return U16(p + 2);
            p += 4 + ComponentArgumentBytes(flags);
        } while ((flags & MoreComponents) != 0);
    }

    private static void RenumberComponents(byte[] glyph, Dictionary<ushort, ushort> map)
    {
        var p = 10;
        ushort flags;
        do
        {
            flags = BinaryPrimitives.ReadUInt16BigEndian(glyph.AsSpan(p));
            var old = BinaryPrimitives.ReadUInt16BigEndian(glyph.AsSpan(p + 2));
            BinaryPrimitives.WriteUInt16BigEndian(glyph.AsSpan(p + 2), map[old]);
            p += 4 + ComponentArgumentBytes(flags);
        } while ((flags & MoreComponents) != 0);
    }

    private static int ComponentArgumentBytes(ushort flags)
        => ((flags & ArgsAreWords) != 0 ? 4 : 2)
            + ((flags & HaveScale) != 0 ? 2 : (flags & HaveXYScale) != 0 ? 4 : (flags & HaveTwoByTwo) != 0 ? 8 : 0);

    private void ReadCmap()
    {
        var cmap = Table("cmap");
        var count = U16(cmap + 2);
        int format4 = -1, format12 = -1;
        for (var i = 0; i < count; i++)
        {
            var platform = U16(cmap + 4 + 8 * i);
            var encoding = U16(cmap + 4 + 8 * i + 2);
            var sub = cmap + (int)U32(cmap + 4 + 8 * i + 4);
            var format = U16(sub);
            if (format == 12 && (platform == 0 || (platform == 3 && encoding == 10))) format12 = sub;
            if (format == 4 && (platform == 0 || (platform == 3 && encoding == 1))) format4 = sub;
        }
        if (format12 >= 0)
        {
            var groups = (int)U32(format12 + 12);
            for (var i = 0; i < groups; i++)
            {
                var g = format12 + 16 + 12 * i;
                var first = (int)U32(g);
                var last = (int)U32(g + 4);
                var glyph = (int)U32(g + 8);
                for (var c = first; c <= last && c <= 0x10FFFF; c++) _cmap.TryAdd(c, (ushort)(glyph + c - first));
            }
        }
        else if (format4 >= 0)
        {
            var segments = U16(format4 + 6) / 2;
            var ends = format4 + 14;
            var starts = ends + 2 * segments + 2;
            var deltas = starts + 2 * segments;
            var rangeOffsets = deltas + 2 * segments;
            for (var s = 0; s < segments; s++)
            {
                int end = U16(ends + 2 * s), start = U16(starts + 2 * s), delta = S16(deltas + 2 * s), rangeOffset = U16(rangeOffsets + 2 * s);
                for (var c = start; c <= end && c != 0xFFFF; c++)
                {
                    int glyph;
                    if (rangeOffset == 0) glyph = (c + delta) & 0xFFFF;
                    else
                    {
                        glyph = U16(rangeOffsets + 2 * s + rangeOffset + 2 * (c - start));
                        if (glyph != 0) glyph = (glyph + delta) & 0xFFFF;
                    }
                    if (glyph != 0) _cmap.TryAdd(c, (ushort)glyph);
                }
            }
        }
        else throw new FormatException($"Font {PostScriptName} has no Unicode cmap.");
    }

    private int Table(string tag) => _tables[tag].Offset;

    private byte[] Copy(string tag) => _data.AsSpan(_tables[tag].Offset, _tables[tag].Length).ToArray();

    private ushort U16(int at) => BinaryPrimitives.ReadUInt16BigEndian(_data.AsSpan(at));

    private short S16(int at) => BinaryPrimitives.ReadInt16BigEndian(_data.AsSpan(at));

    private uint U32(int at) => BinaryPrimitives.ReadUInt32BigEndian(_data.AsSpan(at));
}
