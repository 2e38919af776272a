using OpenIkz.Infrastructure.Pdf;

namespace OpenIkz.Backoffice.Decisions;

/// <summary>
/// A letter as a list of blocks (heading, paragraph, key–value table, space), written once and drawn twice: as the PDF
/// that is issued (<see cref="ToPdf"/>) and as the text preview a clerk confirms before deciding, so that the preview
/// is the letter word for word.
/// </summary>
public sealed class Letter(string title, string author, DateTimeOffset created, string footer)
{
    public abstract record Block;
    public sealed record HeadingBlock(string Text, int Level) : Block;
    public sealed record ParagraphBlock(string Text, bool Bold, double Size) : Block;
    public sealed record PairsBlock(IReadOnlyList<(string Key, string Value)> Pairs) : Block;
    public sealed record SpaceBlock(double Points) : Block;

    private readonly List<Block> blocks = [];

    public string Title => title;
    public string Footer => footer;
    public IReadOnlyList<Block> Blocks => blocks;

    public Letter Heading(string text, int level = 1) { blocks.Add(new HeadingBlock(text, level)); return this; }
    public Letter Paragraph(string text, bool bold = false, double size = PdfDocumentBuilder.BodySize) { blocks.Add(new ParagraphBlock(text, bold, size)); return this; }
    public Letter KeyValue(IEnumerable<(string Key, string Value)> pairs) { blocks.Add(new PairsBlock(pairs.ToList())); return this; }
    public Letter Spacer(double points) { blocks.Add(new SpaceBlock(points)); return this; }

    public byte[] ToPdf()
    {
        var pdf = new PdfDocumentBuilder(title, author, created, footerText: footer);
        foreach (var block in blocks)
        {
            switch (block)
            {
                case HeadingBlock h: pdf.Heading(h.Text, h.Level); break;
                case ParagraphBlock p: pdf.Paragraph(p.Text, p.Bold, p.Size); break;
                case PairsBlock k: pdf.KeyValue(k.Pairs); break;
                case SpaceBlock s: pdf.Spacer(s.Points); break;
            }
        }
        return pdf.ToBytes();
    }
}
