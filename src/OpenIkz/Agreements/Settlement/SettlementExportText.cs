using System.Globalization;

namespace OpenIkz.Agreements.Settlement;

/// <summary>What the statement exports (CSV, PDF, XRechnung) share: German wording, amounts and lookups in a settlement.</summary>
internal static class SettlementExportText
{
    public static readonly CultureInfo German = CultureInfo.GetCultureInfo("de-DE");
    public static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public const string ToPay = "zu zahlen";
    public const string ToReceive = "zu erhalten";

    /// <summary>BT-120 for VAT category O; also the closing sentence of the PDF statement.</summary>
    public const string VatExemptionReason =
        "Nicht steuerbar: Kostenausgleich zwischen juristischen Personen des öffentlichen Rechts im Rahmen einer öffentlich-rechtlichen Vereinbarung (§ 2b UStG)";

    public static StatementView StatementOf(SettlementView s, string ags) =>
        s.Statements.FirstOrDefault(x => x.MunicipalityAgs == ags)
        ?? throw new ArgumentException($"Die Kommune {ags} ist an Abrechnung {s.Number} nicht beteiligt.", nameof(ags));

    public static IEnumerable<LineView> LinesOf(SettlementView s, string ags) =>
        s.Lines.Where(l => l.OwnerAgs == ags || l.ProcessorAgs == ags);

    /// <summary>The invoices the member pays or receives.</summary>
    public static IEnumerable<InvoiceView> InvoicesOf(SettlementView s, string ags) =>
        s.Invoices.Where(i => i.PayerAgs == ags || i.ReceiverAgs == ags);

    /// <summary>What the member receives (it processed) and pays (it owns), from the lines.</summary>
    public static (decimal Receive, decimal Pay) Totals(SettlementView s, string ags) =>
        (s.Lines.Where(l => l.ProcessorAgs == ags && l.OwnerAgs != ags).Sum(l => l.Amount),
         s.Lines.Where(l => l.OwnerAgs == ags && l.ProcessorAgs != ags).Sum(l => l.Amount));

    public static string NameOf(SettlementView s, string ags) =>
        s.Parties.TryGetValue(ags, out var p) && !string.IsNullOrWhiteSpace(p.Name) ? p.Name
        : s.Statements.FirstOrDefault(x => x.MunicipalityAgs == ags)?.MunicipalityName ?? ags;

    public static string CaseGroupText(LineView l) =>
        !string.IsNullOrWhiteSpace(l.CaseGroupLabel) ? l.CaseGroupLabel : l.CaseGroup.Length == 0 ? "alle" : l.CaseGroup;

    public static string CorrectedNumber(SettlementView s) => s.CorrectsNumber ?? s.CorrectsSettlementId ?? "";

    /// <summary>The period as "dd.MM.yyyy–dd.MM.yyyy" (first and last day).</summary>
    public static string PeriodText(SettlementView s) =>
        $"{s.PeriodStart.ToString("dd.MM.yyyy", German)}–{s.LastDay.ToString("dd.MM.yyyy", German)}";

    public static string Date(DateOnly d) => d.ToString("dd.MM.yyyy", German);

    public static decimal Round(decimal value) => decimal.Round(value, 2, MidpointRounding.AwayFromZero);

    public static string Euro(decimal value) => Round(value).ToString("N2", German) + " €";

    public static string BalanceWord(decimal balance) => balance < 0 ? ToPay : balance > 0 ? ToReceive : "ausgeglichen";

    /// <summary>What the invoice is: "Rechnung (380)" or "Korrigierte Rechnung (384), ersetzt … vom …".</summary>
    public static string InvoiceKind(InvoiceView i) =>
        i.ReplacesNumber is { } replaced
            ? $"{InvoiceTypes.Label(i.TypeCode)}, ersetzt {replaced}" + (i.ReplacesIssueDate is { } d ? $" vom {Date(d)}" : "")
            : InvoiceTypes.Label(i.TypeCode);

    /// <summary>Whether the invoice is the document to pay: it stands unless a correction replaced the settlement.</summary>
    public static string InvoiceStatus(SettlementView s, InvoiceView i) =>
        s.SupersededByNumber is { } by ? $"ersetzt durch Abrechnung {by} – nicht mehr zahlen"
        : i.Amount == 0m ? "maßgeblich – nichts mehr zu zahlen"
        : "maßgeblich – zu zahlen";

    /// <summary>One sentence on which document stands, for the statement.</summary>
    public static string StandingNote(SettlementView s) =>
        s.Provisional
            ? "Vorläufige Abrechnung: Der Zeitraum ist noch nicht abgeschlossen. Sie wird nicht gespeichert, und es wird keine Rechnung gestellt."
            : s.SupersededByNumber is { } by
                ? $"Diese Abrechnung wurde durch die Korrekturabrechnung {by} ersetzt. Maßgeblich sind deren Salden und Rechnungen; die Rechnungen dieser Abrechnung sind nicht mehr zu zahlen."
                : s.CorrectsSettlementId is not null
                    ? $"Diese Korrekturabrechnung ersetzt die Abrechnung {CorrectedNumber(s)} für denselben Zeitraum. Maßgeblich sind ihre Salden und die korrigierten Rechnungen (384), die die bisherigen Rechnungen ersetzen; bereits auf die bisherigen Rechnungen gezahlte Beträge werden angerechnet."
                    : "Diese Abrechnung ist maßgeblich; ihre Rechnungen sind zu zahlen.";
}
