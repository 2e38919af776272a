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
/// <remarks>
/// The letter greets the applicant neutrally ("Guten Tag Vorname Name,"), since the application
/// records no form of address. It names how to reach the office (telephone, e-mail, opening hours;
/// each line only when known) and carries the whole Aktenzeichen first in every page's footer.
/// For a granted fee-bearing service (Kfz-Zulassung) it states the fee under the Gebührenordnung für
/// Maßnahmen im Straßenverkehr (GebOSt): the amount is the "Gebühr je Fall" recorded for the service
/// and case group in the agreement under which the case was processed (agreement_rates.fee_cents);
/// where none is recorded the letter says that the fee is set by a separate notice, rather than
/// printing an amount without a source.
/// </remarks>
public sealed class BescheidWriter
{
    private static readonly CultureInfo German = CultureInfo.GetCultureInfo("de-DE");

    internal sealed class Facts
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
        public string? OwnerEmail { get; set; }
        public string? OwnerTelephone { get; set; }
        public string? OwnerOpeningHours { get; set; }
        public string OwnerType { get; set; } = "";
        public string? AuthorityName { get; set; }
        public string? OwnerStreet { get; set; }
        public string? OwnerPostalCode { get; set; }
        public string? OwnerCity { get; set; }
        public string ProcessorName { get; set; } = "";
    }

    /// <summary>The fee of a fee-bearing service as the letter states it.</summary>
    /// <param name="Amount">The fee in euros, or null when it is set by a separate notice.</param>
    /// <param name="LegalBasis">The provision the fee rests on.</param>
    internal sealed record Fee(decimal? Amount, string LegalBasis);

    /// <summary>Legal basis of the Kfz fees: the federal fee schedule for road-traffic measures.</summary>
    internal const string GebOStBasis = "§ 1 Abs. 1 der Gebührenordnung für Maßnahmen im Straßenverkehr (GebOSt) in Verbindung mit dem Gebührentarif (Anlage zu § 1 GebOSt)";

    /// <summary>The Bescheid of a case, with the owner's office contact as the owner records it in the directory.</summary>
    public async Task<byte[]> WriteAsync(DbConnection c, DbTransaction tx, string caseId, Actor clerk, string outcome, string? reason, DateTime decidedAt, long? agreementId) =>
        (await ComposeAsync(c, tx, caseId, clerk, outcome, reason, decidedAt, agreementId)).ToPdf();

    /// <summary>The Bescheid as its blocks: what <see cref="WriteAsync"/> draws as PDF, and what the case page shows for confirmation.</summary>
    public async Task<Letter> ComposeAsync(DbConnection c, DbTransaction? tx, string caseId, Actor clerk, string outcome, string? reason, DateTime decidedAt, long? agreementId)
    {
        var f = await FactsAsync(c, tx, caseId, clerk);
        var agreementTitle = agreementId is null ? null
            : await c.QuerySingleOrDefaultAsync<string>("SELECT title FROM agreements WHERE id = @Id", new { Id = agreementId }, tx);
        Fee? fee = null;
        if (ServiceCatalog.Get(f.ServiceSlug).FeeBearing)
        {
            var cents = agreementId is null ? null : await c.QueryFirstOrDefaultAsync<long?>("""
                SELECT fee_cents FROM agreement_rates
                WHERE agreement_id = @Agreement AND service_slug = @Service AND case_group IN (@Group, '') AND fee_cents IS NOT NULL
                ORDER BY CASE WHEN case_group = '' THEN 1 ELSE 0 END
                """, new { Agreement = agreementId, Service = f.ServiceSlug, Group = f.CaseGroup ?? "" }, tx);
            fee = new Fee(cents / 100m, GebOStBasis);
        }
        return Compose(f, clerk, outcome, reason, decidedAt, agreementTitle, new OfficeContact(f.OwnerTelephone, f.OwnerEmail, f.OwnerOpeningHours), fee);
    }

    /// <summary>What a letter about the case states: the case, the applicant, the owner (its authority, address and office contact) and the processing municipality.</summary>
    internal static Task<Facts> FactsAsync(DbConnection c, DbTransaction? tx, string caseId, Actor clerk) =>
        c.QuerySingleAsync<Facts>("""
            SELECT c.reference, c.service_slug AS ServiceSlug, c.case_group AS CaseGroup, c.received_at AS ReceivedAt,
                   c.applicant_given_name AS GivenName, c.applicant_family_name AS FamilyName, c.applicant_street AS Street,
                   c.applicant_postal_code AS PostalCode, c.applicant_city AS City,
                   o.ags AS OwnerAgs, o.name AS OwnerName, o.type AS OwnerType, o.authority_name AS AuthorityName,
                   o.address_street AS OwnerStreet, o.address_postal_code AS OwnerPostalCode, o.address_city AS OwnerCity,
                   o.email AS OwnerEmail, o.telephone AS OwnerTelephone, o.opening_hours AS OwnerOpeningHours,
                   p.name AS ProcessorName
            FROM cases c JOIN municipalities o ON o.ags = c.owner_ags JOIN municipalities p ON p.ags = @ProcessorAgs
            WHERE c.id = @Id
            """, new { Id = caseId, ProcessorAgs = clerk.Ags }, tx);

    /// <summary>
    /// A letter about the case, begun as every letter of the owner begins: its authority and address, the applicant's
    /// address, then reference, date, date of the application, the processing clerk and the office contact.
    /// </summary>
    internal static Letter Start(string title, Facts f, Actor clerk, DateTime writtenAtUtc, OfficeContact contact)
    {
        var (authority, ownerAddress) = Letterhead(f);
        var letter = new Letter(title, authority, new DateTimeOffset(writtenAtUtc, TimeSpan.Zero), $"Aktenzeichen {f.Reference} · {authority} · {ownerAddress}");
        letter.Paragraph(authority, bold: true, size: 13);
        letter.Paragraph(ownerAddress);
        letter.Spacer(18);
        letter.Paragraph($"{f.GivenName} {f.FamilyName}");
        letter.Paragraph(f.Street);
        letter.Paragraph($"{f.PostalCode} {f.City}");
        letter.Spacer(18);
        letter.KeyValue(
        [
            ("Aktenzeichen", f.Reference),
            ("Datum", BerlinTime.ToLocal(writtenAtUtc).ToString("dd.MM.yyyy", German)),
            ("Antrag vom", BerlinTime.ToLocal(f.ReceivedAt).ToString("dd.MM.yyyy", German)),
            ("Bearbeitung", $"{clerk.DisplayName}, {f.ProcessorName}"),
            .. contact.Lines(),
        ]);
        letter.Spacer(12);
        return letter;
    }

    /// <summary>The close of every letter: greeting, „Im Auftrag“, the clerk and their municipality, the note on the electronic form.</summary>
    internal static void End(Letter letter, Facts f, Actor clerk)
    {
        letter.Spacer(18);
        letter.Paragraph("Mit freundlichen Grüßen");
        letter.Paragraph("Im Auftrag");
        letter.Paragraph($"{clerk.DisplayName}, {f.ProcessorName}");
        letter.Spacer(6);
        letter.Paragraph("Dieses Schreiben wurde elektronisch erstellt und ist ohne Unterschrift gültig.", size: 8.5);
    }

    /// <summary>The owner's authority („Stadtverwaltung Frankenthal (Pfalz)“) and its postal address, as every letter heads and signs with them.</summary>
    internal static (string Authority, string Address) Letterhead(Facts f) =>
        (Authority(f), f.OwnerStreet is null ? f.OwnerName : $"{f.OwnerStreet}, {f.OwnerPostalCode} {f.OwnerCity}");

    private static string Authority(Facts f) => f.AuthorityName ?? f.OwnerType switch
    {
        "landkreis" => $"Kreisverwaltung {f.OwnerName}",
        "kreisfreie-stadt" or "stadt" => $"Stadtverwaltung {f.OwnerName}",
        "verbandsgemeinde" => $"Verbandsgemeindeverwaltung {f.OwnerName}",
        _ => $"Gemeindeverwaltung {f.OwnerName}",
    };

    internal static byte[] Render(Facts f, Actor clerk, string outcome, string? reason, DateTime decidedAt, string? agreementTitle, OfficeContact contact, Fee? fee) =>
        Compose(f, clerk, outcome, reason, decidedAt, agreementTitle, contact, fee).ToPdf();

    /// <summary>The letter's blocks in order: the PDF and the preview before deciding are both drawn from exactly these.</summary>
    internal static Letter Compose(Facts f, Actor clerk, string outcome, string? reason, DateTime decidedAt, string? agreementTitle, OfficeContact contact, Fee? fee)
    {
        var service = ServiceCatalog.Get(f.ServiceSlug);
        var group = service.CaseGroups.FirstOrDefault(g => g.Slug == f.CaseGroup)?.Label;
        var receivedLocal = TimeZoneInfo.ConvertTimeFromUtc(f.ReceivedAt, BerlinTime.Zone);
        var (authority, ownerAddress) = Letterhead(f);
        var granted = outcome == Outcomes.Granted;
        var subject = service.Name + (group is null ? "" : $" – {group}");

        var pdf = Start($"Bescheid {f.Reference}", f, clerk, decidedAt, contact);
        pdf.Heading($"Bescheid über Ihren Antrag auf {subject}");
        pdf.Paragraph($"Guten Tag {f.GivenName} {f.FamilyName},");
        pdf.Spacer(6);
        pdf.Paragraph(granted
            ? $"Ihrem Antrag vom {receivedLocal.ToString("dd.MM.yyyy", German)} auf {subject} wird stattgegeben."
            : $"Ihr Antrag vom {receivedLocal.ToString("dd.MM.yyyy", German)} auf {subject} wird abgelehnt.", bold: true);
        pdf.Spacer(8);
        pdf.Heading("Begründung", level: 2);
        pdf.Paragraph(string.IsNullOrWhiteSpace(reason)
            ? "Die Voraussetzungen liegen nach Prüfung der vorgelegten Unterlagen vor. Von einer weiteren Begründung wird abgesehen, da Ihrem Antrag entsprochen wird (§ 39 Abs. 2 Nr. 1 VwVfG)."
            : reason);
        if (granted && fee is not null)
        {
            pdf.Spacer(8);
            pdf.Heading("Gebühren", level: 2);
            pdf.Paragraph(fee.Amount is { } amount
                ? $"Für diese Amtshandlung wird eine Gebühr von {amount.ToString("#,##0.00", German)} € erhoben. Rechtsgrundlage: {fee.LegalBasis}."
                : $"Für diese Amtshandlung wird eine Gebühr nach {fee.LegalBasis} erhoben. Über ihre Höhe ergeht ein gesonderter Gebührenbescheid.");
        }
        pdf.Spacer(8);
        pdf.Heading("Rechtsbehelfsbelehrung", level: 2);
        pdf.Paragraph($"Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden. Der Widerspruch ist schriftlich oder zur Niederschrift bei der {authority}, {ownerAddress}, einzulegen.");
        pdf.Spacer(8);
        pdf.Heading("Hinweis zur Bearbeitung", level: 2);
        pdf.Paragraph(agreementTitle is null
            ? $"Dieser Bescheid ergeht im Namen der {authority}."
            : $"Dieser Bescheid ergeht im Namen der {authority}, die für Ihren Antrag zuständig bleibt. Bearbeitet hat ihn {clerk.DisplayName} ({f.ProcessorName}) im Auftrag der zuständigen Kommune auf Grundlage der Vereinbarung „{agreementTitle}“.");
        End(pdf, f, clerk);
        return pdf;
    }
}
