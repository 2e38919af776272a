using System.Text;

namespace OpenIkz.Common;

/// <summary>Folds German text for case- and umlaut-insensitive search ("Thüringen" → "thueringen").</summary>
public static class SearchText
{
    public static string Fold(string text)
    {
        var sb = new StringBuilder(text.Length + 4);
        foreach (var ch in text.Trim().ToLowerInvariant())
        {
            switch (ch)
            {
                case 'ä': sb.Append("ae"); break;
                case 'ö': sb.Append("oe"); break;
                case 'ü': sb.Append("ue"); break;
                case 'ß': sb.Append("ss"); break;
                default: sb.Append(ch); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>Escapes LIKE wildcards so that user input matches literally (used with ESCAPE '\').</summary>
    public static string EscapeLike(string folded) => folded.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");

    public static string LikeContains(string text) => "%" + EscapeLike(Fold(text)) + "%";

    public static string LikePrefix(string text) => EscapeLike(Fold(text)) + "%";
}
