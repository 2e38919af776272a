using System.Data.Common;
using System.Globalization;
using Dapper;
using OpenIkz.Backoffice.Access;
using OpenIkz.Backoffice.Cases;
using OpenIkz.Backoffice.Intake;
using OpenIkz.Directory.Services;
using OpenIkz.Infrastructure.Pdf;

namespace OpenIkz.Backoffice.Decisions;

/// <summary>
/// Writes the Bescheid (decision) as PDF. It is issued in the name of the owning municipality, which
/// stays legally responsible (its name and address head the letter and it is named as the authority
/// for an objection); the processing clerk and their municipality are named as acting on its behalf
/// under the cooperation agreement.
/// </summary>
public sealed class BescheidWriter
{
    private static readonly CultureInfo German = CultureInfo.GetCultureInfo("de-DE");

    private sealed class Facts
    {
        public string Reference { get; set; } = "";
        public string ServiceSlug { get; set; } = "";
        public string? CaseGroup { get; set; }
        public DateTime ReceivedAt { get; set; }
        public string GivenName { get; set; } = "";
        public string FamilyName { get; set; } = "";
        public string Street { get; set; } = "";
        public string PostalCode { get; set; } = "";
        public string City { get; set; } = "";
        public string OwnerAgs { get; set; } = "";
        public string OwnerName { get; set; } = "";
        public string OwnerType { get; set; } = "";
        public string? AuthorityName { get; set; }
        public string? OwnerStreet { get; set; }
        public string? OwnerPostalCode { get; set; }
        public string? OwnerCity { get; set; }
        public string ProcessorName { get; set; } = "";
    }

    public async Task<byte[]> WriteAsync(DbConnection c, DbTransaction tx, string caseId, Actor clerk, string outcome, string? reason, DateTime decidedAt, long? agreementId)
    {
        var f = await c.QuerySingleAsync<Facts>("""
            SELECT c.reference, c.service_slug AS ServiceSlug, c.case_group AS CaseGroup, c.received_at AS ReceivedAt,
                   c.applicant_given_name AS GivenName, c.applicant_family_name AS FamilyName, c.applicant_street AS Street,
                   c.applicant_postal_code AS PostalCode, c.applicant_city AS City,
                   o.ags AS OwnerAgs, o.name AS OwnerName, o.type AS OwnerType, o.authority_name AS AuthorityName,
                   o.address_street AS OwnerStreet, o.address_postal_code AS OwnerPostalCode, o.address_city AS OwnerCity,
                   p.name AS ProcessorName
            FROM cases c JOIN municipalities o ON o.ags = c.owner_ags JOIN municipalities p ON p.ags = @ProcessorAgs
            WHERE c.id = @Id
            """, new { Id = caseId, ProcessorAgs = clerk.Ags }, tx);
        var agreementTitle = agreementId is null ? null
            : await c.QuerySingleOrDefaultAsync<string>("SELECT title FROM agreements WHERE id = @Id", new { Id = agreementId }, tx);
        return Render(f, clerk, outcome, reason, decidedAt, agreementTitle);
    }

    private static string Authority(Facts f) => f.AuthorityName ?? f.OwnerType switch
    {
        "landkreis" => $"Kreisverwaltung {f.OwnerName}",
        "kreisfreie-stadt" or "stadt" => $"Stadtverwaltung {f.OwnerName}",
        "verbandsgemeinde" => $"Verbandsgemeindeverwaltung {f.OwnerName}",
        _ => $"Gemeindeverwaltung {f.OwnerName}",
    };

    private static byte[] Render(Facts f, Actor clerk, string outcome, string? reason, DateTime decidedAt, string? agreementTitle)
    {
        var service = ServiceCatalog.Get(f.ServiceSlug);
        var group = service.CaseGroups.FirstOrDefault(g => g.Slug == f.CaseGroup)?.Label;
        var decidedLocal = TimeZoneInfo.ConvertTimeFromUtc(decidedAt, BerlinTime.Zone);
        var receivedLocal = TimeZoneInfo.ConvertTimeFromUtc(f.ReceivedAt, BerlinTime.Zone);
        var authority = Authority(f);
        var ownerAddress = f.OwnerStreet is null ? f.OwnerName : $"{f.OwnerStreet}, {f.OwnerPostalCode} {f.OwnerCity}";
        var granted = outcome == Outcomes.Granted;
        var subject = service.Name + (group is null ? "" : $" – {group}");

        var pdf = new PdfDocumentBuilder($"Bescheid {f.Reference}", authority, new DateTimeOffset(decidedAt, TimeSpan.Zero),
            footerText: $"{authority} · {ownerAddress} · Aktenzeichen {f.Reference}");
        pdf.Paragraph(authority, bold: true, size: 13);
        pdf.Paragraph(ownerAddress);
        pdf.Spacer(18);
        pdf.Paragraph($"{f.GivenName} {f.FamilyName}");
        pdf.Paragraph(f.Street);
        pdf.Paragraph($"{f.PostalCode} {f.City}");
        pdf.Spacer(18);
        pdf.KeyValue(
        [
            ("Aktenzeichen", f.Reference),
            ("Datum", decidedLocal.ToString("dd.MM.yyyy", German)),
            ("Antrag vom", receivedLocal.ToString("dd.MM.yyyy", German)),
            ("Bearbeitung", $"{clerk.DisplayName}, {f.ProcessorName}"),
        ]);
        pdf.Spacer(12);
        pdf.Heading($"Bescheid über Ihren Antrag auf {subject}");
        pdf.Paragraph($"Sehr geehrte(r) {f.GivenName} {f.FamilyName},");
        pdf.Spacer(6);
        pdf.Paragraph(granted
            ? $"Ihrem Antrag vom {receivedLocal.ToString("dd.MM.yyyy", German)} auf {subject} wird stattgegeben."
            : $"Ihr Antrag vom {receivedLocal.ToString("dd.MM.yyyy", German)} auf {subject} wird abgelehnt.", bold: true);
        pdf.Spacer(8);
        pdf.Heading("Begründung", level: 2);
        pdf.Paragraph(string.IsNullOrWhiteSpace(reason)
            ? "Die Voraussetzungen liegen nach Prüfung der vorgelegten Unterlagen vor. Von einer weiteren Begründung wird abgesehen, da Ihrem Antrag entsprochen wird (§ 39 Abs. 2 Nr. 1 VwVfG)."
            : reason);
        pdf.Spacer(8);
        pdf.Heading("Rechtsbehelfsbelehrung", level: 2);
        pdf.Paragraph($"Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden. Der Widerspruch ist schriftlich oder zur Niederschrift bei der {authority}, {ownerAddress}, einzulegen.");
        pdf.Spacer(8);
        pdf.Heading("Hinweis zur Bearbeitung", level: 2);
        pdf.Paragraph(agreementTitle is null
            ? $"Dieser Bescheid ergeht im Namen der {authority}."
            : $"Dieser Bescheid ergeht im Namen der {authority}, die für Ihren Antrag zuständig bleibt. Bearbeitet hat ihn {clerk.DisplayName} ({f.ProcessorName}) im Auftrag der zuständigen Kommune auf Grundlage der Vereinbarung „{agreementTitle}“.");
        pdf.Spacer(18);
        pdf.Paragraph("Mit freundlichen Grüßen");
        pdf.Paragraph("Im Auftrag");
        pdf.Paragraph($"{clerk.DisplayName}, {f.ProcessorName}");
        pdf.Spacer(6);
        pdf.Paragraph("Dieses Schreiben wurde elektronisch erstellt und ist ohne Unterschrift gültig.", size: 8.5);
        return pdf.ToBytes();
    }
}
