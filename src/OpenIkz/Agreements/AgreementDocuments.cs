using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Dapper;
using OpenIkz.Directory.Services;
using OpenIkz.Infrastructure.Pdf;

namespace OpenIkz.Agreements;

/// <summary>One section of the agreement document: heading and paragraphs (plain text).</summary>
public sealed record DocumentSection(string Heading, IReadOnlyList<string> Paragraphs, IReadOnlyList<string[]>? Table = null, string[]? TableHeader = null);

/// <summary>
/// Generates the agreement document in German from the structured data, as HTML and PDF with the same
/// sections (Gegenstand, Aufgaben, Durchführung und Verantwortung, Datenschutz, Kostenausgleich, Laufzeit
/// und Kündigung, Unterschriften). Each rendering is stored by hash and recorded with its version, so
/// every draft, every final text and every amendment is kept.
/// </summary>
/// <summary>The generated document before it is stored: its title, the line under it and its sections.</summary>
public sealed record AgreementPreview(string Title, string Subtitle, IReadOnlyList<DocumentSection> Sections);

public sealed class AgreementDocuments(IFileStore store, TimeProvider clock)
{
    private static readonly CultureInfo German = CultureInfo.GetCultureInfo("de-DE");

    public async Task RenderAsync(DbConnection c, DbTransaction tx, long id, string reason)
    {
        var a = await new AgreementReader(c, tx).LoadAsync(id);
        var sections = Sections(a);
        var now = clock.GetUtcNow().UtcDateTime;
        var html = Encoding.UTF8.GetBytes(Html(a, sections));
        var pdf = Pdf(a, sections, now);
        var htmlSha = await store.SaveAsync(html);
        var pdfSha = await store.SaveAsync(pdf);
        await c.ExecuteAsync("INSERT INTO agreement_documents (agreement_id, version, html_sha256, pdf_sha256, created_at, reason) VALUES (@Id, @Version, @Html, @Pdf, @Now, @Reason)",
            new { Id = id, a.Version, Html = htmlSha, Pdf = pdfSha, Now = now, Reason = reason }, tx);
    }

    /// <summary>The document a draft with these terms would get, section by section, without storing anything (the guided form's last step).</summary>
    public static AgreementPreview Preview(AgreementTerms terms, IReadOnlyDictionary<string, string> names, int version = 1)
    {
        var law = LegalForms.Law(terms.StateLaw)!;
        var form = law.Form(terms.LegalForm)!;
        var members = terms.Members.Select(m => (m.Ags, Name: names.GetValueOrDefault(m.Ags, m.Ags), m.ContributesCases, m.ContributesStaff, m.CapacitySharePercent))
            .OrderBy(m => m.Name, StringComparer.Create(German, CompareOptions.None)).ToList();
        var facts = new Facts(0, terms.Title, version, law.Genitive, law.Dative, form.Label, form.LegalBasis, terms.TransfersTask, LegalForms.NeedsApproval(form, terms.TransfersTask),
            terms.ValidFrom, terms.ValidTo, terms.NoticeMonths, terms.DataProtection, terms.Goals, terms.EvaluationDate, terms.FeeRule, terms.FeeSharePercent,
            members, terms.Services.Order(StringComparer.Ordinal).ToList(), terms.Rates.OrderBy(r => r.Service, StringComparer.Ordinal).ThenBy(r => r.CaseGroup, StringComparer.Ordinal).ToList());
        return new AgreementPreview(terms.Title, $"{form.Label} nach {law.Dative} – Fassung {version}", Sections(facts));
    }

    internal sealed record Facts(long Id, string Title, int Version, string LawGenitive, string LawDative, string FormLabel, string LegalBasis, bool TransfersTask, bool NeedsApproval,
        DateOnly ValidFrom, DateOnly? ValidTo, int NoticeMonths, string DataProtection, string? Goals, DateOnly? EvaluationDate, string FeeRule, decimal? FeeShare,
        IReadOnlyList<(string Ags, string Name, bool Cases, bool Staff, int? Share)> Members, IReadOnlyList<string> Services, IReadOnlyList<AgreementRate> Rates);

    internal static IReadOnlyList<DocumentSection> Sections(Facts a)
    {
        string Name(string slug) => ServiceCatalog.Find(slug)?.Name ?? slug;
        string Money(decimal v) => v.ToString("N2", German) + " EUR";
        var perAppointment = a.Rates.Any(r => r.PerAppointment is not null);
        var services = string.Join(", ", a.Services.Select(Name));
        var contributors = a.Members.Where(m => m.Cases).Select(m => m.Name).ToList();
        var staff = a.Members.Where(m => m.Staff).Select(m => m.Name).ToList();
        var list = new List<DocumentSection>
        {
            new("Präambel", [
                $"Die nachstehend genannten Kommunen schließen auf Grundlage {a.LawGenitive} ({a.LegalBasis}) folgende {a.FormLabel}.",
                a.Goals is null ? "Ziel ist eine wirtschaftliche, rechtssichere und bürgernahe Aufgabenerledigung." : $"Ziele der Zusammenarbeit: {a.Goals}",
            ], a.Members.Select(m => new[] { m.Name, m.Ags, m.Cases && m.Staff ? "Vorgänge und Personal" : m.Cases ? "Vorgänge" : "Personal", m.Share is null ? "–" : m.Share + " %" }).ToList(),
                ["Mitglied", "Schlüssel", "bringt ein", "Kapazitätsanteil"]),
            new("§ 1 Gegenstand", [
                $"Gegenstand dieser Vereinbarung ist die gemeinsame digitale Bearbeitung der Leistungen {services}.",
                a.TransfersTask
                    ? "Die Aufgabe wird mit dieser Vereinbarung übertragen (delegierende Vereinbarung)."
                    : "Die Zuständigkeit und die Verantwortung für die Aufgabe verbleiben bei jeder Kommune; gemeinsam erfolgt nur die Bearbeitung (mandatierende Vereinbarung).",
            ]),
            new("§ 2 Aufgaben", [
                $"Vorgänge bringen ein: {string.Join(", ", contributors)}.",
                $"Personal für die gemeinsame Bearbeitung stellen: {string.Join(", ", staff)}.",
                "Die Mitarbeitenden bleiben bei ihrer Kommune beschäftigt und arbeiten ortsunabhängig in einem gemeinsamen Team, das Vorgänge aus einem gemeinsamen Pool bearbeitet.",
            ]),
            new("§ 3 Durchführung und Verantwortung", [
                "Jeder Vorgang bleibt der zuständigen Kommune zugeordnet. Bescheide ergehen im Namen der zuständigen Kommune; die bearbeitende Person und ihre Kommune werden genannt.",
                "Jeder Zugriff auf Vorgänge einer anderen Kommune wird in einem manipulationssicheren Protokoll festgehalten.",
            ]),
            new("§ 4 Datenschutz", [a.DataProtection]),
            new("§ 5 Kostenausgleich", [
                "Für jeden im Abrechnungszeitraum entschiedenen Vorgang erstattet die zuständige Kommune der bearbeitenden Kommune die folgende Fallpauschale. Die Ansprüche werden je Zeitraum saldiert.",
                a.FeeRule == "share" && a.FeeShare is { } share
                    ? $"Gebühreneinnahmen vereinnahmt die zuständige Kommune; {share.ToString("0.##", German)} % der Gebühr je bearbeitetem Vorgang stehen der bearbeitenden Kommune zu."
                    : "Gebühreneinnahmen verbleiben bei der zuständigen Kommune.",
                .. (perAppointment
                    ? new[] { "Für jeden Termin, den eine Dienststelle eines Mitglieds im Abrechnungszeitraum für eine Einwohnerin oder einen Einwohner eines anderen Mitglieds wahrnimmt (die Person ist erschienen und angemeldet), erstattet das Mitglied des Wohnorts die Pauschale je Termin." }
                    : []),
            ], a.Rates.Select(r => new[] { Name(r.Service), r.CaseGroup.Length == 0 ? "alle" : ServiceCatalog.Find(r.Service)?.CaseGroups.FirstOrDefault(g => g.Slug == r.CaseGroup)?.Label ?? r.CaseGroup,
                    Money(r.FlatAmount), r.Fee is null ? "–" : Money(r.Fee.Value) }.Concat(perAppointment ? [r.PerAppointment is { } p ? Money(p) : "–"] : []).ToArray()).ToList(),
                ["Leistung", "Fallgruppe", "Fallpauschale", "Gebühr je Fall", .. (perAppointment ? new[] { "je Termin" } : [])]),
            new("§ 6 Laufzeit und Kündigung", [
                $"Die Vereinbarung gilt ab dem {a.ValidFrom.ToString("dd.MM.yyyy", German)}{(a.ValidTo is { } to ? $" bis zum {to.ToString("dd.MM.yyyy", German)}" : " auf unbestimmte Zeit")}.",
                $"Sie kann von jedem Mitglied mit einer Frist von {a.NoticeMonths} Monaten gekündigt werden.",
                a.EvaluationDate is { } eval ? $"Die Zusammenarbeit wird zum {eval.ToString("dd.MM.yyyy", German)} anhand der Ziele evaluiert." : "Die Zusammenarbeit wird regelmäßig anhand der Ziele evaluiert.",
                a.NeedsApproval ? "Die Vereinbarung bedarf der Genehmigung der Kommunalaufsicht." : "Eine Genehmigung der Kommunalaufsicht ist nicht erforderlich.",
            ]),
            new("§ 7 Unterschriften", ["Für die Mitglieder:"], a.Members.Select(m => new[] { m.Name, "Ort, Datum", "Unterschrift" }).ToList(), ["Mitglied", "Ort, Datum", "Unterschrift"]),
        };
        return list;
    }

    private static string Html(Facts a, IReadOnlyList<DocumentSection> sections)
    {
        var e = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All); // keeps umlauts and § readable; <, >, & and quotes are still encoded
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(e.Encode(a.Title)).Append("</title>\n")
          .Append("<link rel=\"stylesheet\" href=\"/lib/kern/kern.min.css\">\n</head>\n<body>\n<main class=\"kern-container\">\n");
        sb.Append("<h1>").Append(e.Encode(a.Title)).Append("</h1>\n<p>").Append(e.Encode($"{a.FormLabel} nach {a.LawDative} – Fassung {a.Version}")).Append("</p>\n");
        foreach (var s in sections)
        {
            sb.Append("<section>\n<h2>").Append(e.Encode(s.Heading)).Append("</h2>\n");
            foreach (var p in s.Paragraphs) sb.Append("<p>").Append(e.Encode(p)).Append("</p>\n");
            if (s.Table is { Count: > 0 } && s.TableHeader is { } header)
            {
                sb.Append("<table>\n<thead><tr>");
                foreach (var h in header) sb.Append("<th scope=\"col\">").Append(e.Encode(h)).Append("</th>");
                sb.Append("</tr></thead>\n<tbody>\n");
                foreach (var row in s.Table)
                {
                    sb.Append("<tr>");
                    foreach (var cell in row) sb.Append("<td>").Append(e.Encode(cell)).Append("</td>");
                    sb.Append("</tr>\n");
                }
                sb.Append("</tbody>\n</table>\n");
            }
            sb.Append("</section>\n");
        }
        sb.Append("</main>\n</body>\n</html>\n");
        return sb.ToString();
    }

    private static byte[] Pdf(Facts a, IReadOnlyList<DocumentSection> sections, DateTime now)
    {
        var pdf = new PdfDocumentBuilder(a.Title, "OpenIKZ", new DateTimeOffset(now, TimeSpan.Zero), footerText: $"{a.Title} – Fassung {a.Version}");
        pdf.Heading(a.Title);
        pdf.Paragraph($"{a.FormLabel} nach {a.LawDative} – Fassung {a.Version}");
        pdf.Spacer(8);
        foreach (var s in sections)
        {
            pdf.Heading(s.Heading, level: 2);
            foreach (var p in s.Paragraphs) pdf.Paragraph(p).Spacer(3);
            if (s.Table is { Count: > 0 } && s.TableHeader is { } header)
                pdf.Table(header, s.Table, Enumerable.Repeat(1.0 / header.Length, header.Length).ToArray());
            pdf.Spacer(6);
        }
        return pdf.ToBytes();
    }
}

/// <summary>Reads the facts for the document inside the transaction that changed them.</summary>
internal sealed class AgreementReader(DbConnection c, DbTransaction tx)
{
    public async Task<AgreementDocuments.Facts> LoadAsync(long id)
    {
        var a = await c.QuerySingleAsync<Row>("""
            SELECT id, title, version, state_law AS StateLaw, legal_form AS LegalForm, transfers_task AS TransfersTask, valid_from AS ValidFrom, valid_to AS ValidTo,
                   notice_months AS NoticeMonths, data_protection AS DataProtection, goals, evaluation_date AS EvaluationDate, fee_rule AS FeeRule, fee_share_percent AS FeeShare
            FROM agreements WHERE id = @Id
            """, new { Id = id }, tx);
        var members = (await c.QueryAsync<MemberRow>("""
            SELECT m.municipality_ags AS Ags, mu.name, m.contributes_cases AS Cases, m.contributes_staff AS Staff, m.capacity_share_percent AS Share
            FROM agreement_members m JOIN municipalities mu ON mu.ags = m.municipality_ags WHERE m.agreement_id = @Id ORDER BY mu.name
            """, new { Id = id }, tx)).Select(m => (m.Ags, m.Name, m.Cases, m.Staff, m.Share)).ToList();
        var services = (await c.QueryAsync<string>("SELECT service_slug FROM agreement_services WHERE agreement_id = @Id ORDER BY service_slug", new { Id = id }, tx)).ToList();
        var rates = (await c.QueryAsync<(string Service, string Group, long Flat, long? Fee, long? Appointment)>("SELECT service_slug, case_group, flat_cents, fee_cents, appointment_cents FROM agreement_rates WHERE agreement_id = @Id ORDER BY service_slug, case_group", new { Id = id }, tx))
            .Select(r => new AgreementRate(r.Service, r.Group, r.Flat / 100m, r.Fee / 100m, r.Appointment / 100m)).ToList();
        var law = LegalForms.Law(a.StateLaw);
        var form = law?.Form(a.LegalForm);
        return new AgreementDocuments.Facts(a.Id, a.Title, a.Version, law?.Genitive ?? "des Landesrechts (nicht angegeben)", law?.Dative ?? "dem Landesrecht (nicht angegeben)", form?.Label ?? "Vereinbarung", form?.LegalBasis ?? "",
            a.TransfersTask, form is not null && LegalForms.NeedsApproval(form, a.TransfersTask), a.ValidFrom, a.ValidTo, a.NoticeMonths,
            a.DataProtection ?? "Die Verarbeitung personenbezogener Daten erfolgt im Auftrag der zuständigen Kommune nach Art. 28 DSGVO.", a.Goals, a.EvaluationDate,
            a.FeeRule, a.FeeShare is null ? null : decimal.Parse(a.FeeShare, CultureInfo.InvariantCulture), members, services, rates);
    }

    private sealed class Row
    {
        public long Id { get; set; }
        public string Title { get; set; } = "";
        public int Version { get; set; }
        public string? StateLaw { get; set; }
        public string? LegalForm { get; set; }
        public bool TransfersTask { get; set; }
        public DateOnly ValidFrom { get; set; }
        public DateOnly? ValidTo { get; set; }
        public int NoticeMonths { get; set; }
        public string? DataProtection { get; set; }
        public string? Goals { get; set; }
        public DateOnly? EvaluationDate { get; set; }
        public string FeeRule { get; set; } = "owner";
        public string? FeeShare { get; set; }
    }

    private sealed class MemberRow
    {
        public string Ags { get; set; } = "";
        public string Name { get; set; } = "";
        public bool Cases { get; set; }
        public bool Staff { get; set; }
        public int? Share { get; set; }
    }
}
