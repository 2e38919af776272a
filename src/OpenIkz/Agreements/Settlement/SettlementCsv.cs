using System.Text;
using static OpenIkz.Agreements.Settlement.SettlementExportText;

namespace OpenIkz.Agreements.Settlement;

/// <summary>The statement of one member of a settlement as CSV for spreadsheets. Amounts are decimal euros with two decimals.</summary>
public static class SettlementCsv
{

    /// <summary>The CSV header row (column titles, German).</summary>
    public static readonly IReadOnlyList<string> Header =
    [
        "Abrechnung", "Zeitraum", "zuständige Kommune", "bearbeitende Kommune", "Leistung", "Fallgruppe",
        "Anzahl Vorgänge", "Pauschalen EUR", "Gebührenanteil EUR", "Betrag EUR", "Richtung",
        // Appended (issue 11), so that existing imports keep their columns: what "Anzahl" counts, "Vorgänge" or "Termine".
        "Einheit",
    ];

    /// <summary>
    /// The statement of member <paramref name="ags"/> as CSV for spreadsheets: ';' separated, German decimal
    /// comma without thousands separators, CRLF line ends, fields quoted as in RFC 4180 when they contain
    /// ';', '"', CR or LF. One row per line the member is owner or processor of; after a blank line the
    /// summary rows ("Summe zu erhalten", "Summe zu zahlen", "Saldo" and, for corrections, "Bisheriger Saldo"
    /// and "Differenz") with the amount in the second column; after another blank line which document stands
    /// ("Maßgeblich") and one "Rechnung" row per invoice the member pays or receives (number, amount, direction,
    /// kind, status). Free text that a spreadsheet would run as a
    /// formula (leading '=', '+', '-', '@') is prefixed with an apostrophe.
    /// </summary>
    /// <exception cref="ArgumentException">The municipality has no statement in this settlement.</exception>
    public static string Write(SettlementView s, string ags)
    {
        ArgumentNullException.ThrowIfNull(s);
        var statement = StatementOf(s, ags);
        var period = PeriodText(s);
        var sb = new StringBuilder();
        AppendRow(sb, Header);
        foreach (var line in LinesOf(s, ags))
        {
            AppendRow(sb,
            [
                Text(s.Number), period,
                Text($"{NameOf(s, line.OwnerAgs)} ({line.OwnerAgs})"), Text($"{NameOf(s, line.ProcessorAgs)} ({line.ProcessorAgs})"),
                Text(line.ServiceName), Text(CaseGroupText(line)),
                line.Count.ToString(Invariant), CsvAmount(line.Flat), CsvAmount(line.FeeShare), CsvAmount(line.Amount),
                line.ProcessorAgs == ags ? ToReceive : ToPay,
                line.UnitWord,
            ]);
        }
        sb.Append("\r\n");
        var (receive, pay) = Totals(s, ags);
        AppendRow(sb, ["Summe zu erhalten", CsvAmount(receive)]);
        AppendRow(sb, ["Summe zu zahlen", CsvAmount(pay)]);
        AppendRow(sb, ["Saldo", CsvAmount(statement.Balance)]);
        if (statement.PreviousBalance is { } previous)
        {
            AppendRow(sb, ["Bisheriger Saldo", CsvAmount(previous)]);
            AppendRow(sb, ["Differenz", CsvAmount(statement.Difference ?? 0m)]);
        }
        // Which document stands: the note, then one row per invoice the member pays or receives.
        sb.Append("\r\n");
        AppendRow(sb, ["Maßgeblich", StandingNote(s)]);
        foreach (var i in InvoicesOf(s, ags))
            AppendRow(sb,
            [
                "Rechnung", Text(i.Number), CsvAmount(i.Amount), i.PayerAgs == ags ? ToPay : ToReceive,
                Text($"{InvoiceKind(i)} – {NameOf(s, i.ReceiverAgs)} ({i.ReceiverAgs}) an {NameOf(s, i.PayerAgs)} ({i.PayerAgs})"), InvoiceStatus(s, i),
            ]);
        return sb.ToString();
    }

    /// <summary><see cref="Write"/> as UTF-8 bytes with a byte order mark, so Excel shows umlauts correctly.</summary>
    public static byte[] Bytes(SettlementView s, string ags)
    {
        var text = Write(s, ags);
        var preamble = Encoding.UTF8.GetPreamble();
        var body = Encoding.UTF8.GetBytes(text);
        var bytes = new byte[preamble.Length + body.Length];
        preamble.CopyTo(bytes, 0);
        body.CopyTo(bytes, preamble.Length);
        return bytes;
    }

    private static void AppendRow(StringBuilder sb, IEnumerable<string> fields)
    {
        var first = true;
        foreach (var field in fields)
        {
            if (!first) sb.Append(';');
            first = false;
            sb.Append(Quote(field));
        }
        sb.Append("\r\n");
    }

    /// <summary>RFC 4180 quoting: fields with ';', '"', CR or LF are enclosed in quotes, quotes are doubled.</summary>
    internal static string Quote(string field)
    {
        field ??= "";
        return field.IndexOfAny([';', '"', '\r', '\n']) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
    }

    /// <summary>Neutralises spreadsheet formulas in free text (CSV injection): a leading =, +, -, @, tab or CR gets an apostrophe.</summary>
    private static string Text(string value) =>
        value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;

    private static string CsvAmount(decimal value) => Round(value).ToString("0.00", German);
}
