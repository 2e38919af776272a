using OpenIkz.Backoffice.Access;
using OpenIkz.Backoffice.Cases;
using OpenIkz.Backoffice.Decisions;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Backoffice;

/// <summary>
/// The Bescheid as a citizen receives it, read back with poppler's pdftotext and pdffonts: names in
/// any Latin, Greek or Cyrillic script come back exactly, every font is an embedded subset.
/// </summary>
public sealed class BescheidTests
{
    private static readonly Actor Clerk = new(1, null, "lu.sb", "Σοφία Ιωάννου", "07314000", false, ["kfz-zulassung", "wohngeld"]);
    private static readonly DateTime DecidedAt = new(2026, 3, 2, 9, 15, 0, DateTimeKind.Utc);
    private const string Reference = "KFZ-07311000-2026-000123";

    private static BescheidWriter.Facts Facts(string givenName, string familyName, string service = "kfz-zulassung", string? group = "neuzulassung") => new()
    {
        Reference = Reference, ServiceSlug = service, CaseGroup = group, ReceivedAt = new DateTime(2026, 2, 20, 8, 0, 0, DateTimeKind.Utc),
        GivenName = givenName, FamilyName = familyName, Street = "Rathausplatz 2", PostalCode = "67227", City = "Frankenthal (Pfalz)",
        OwnerAgs = "07311000", OwnerName = "Frankenthal (Pfalz)", OwnerType = "kreisfreie-stadt", AuthorityName = "Stadtverwaltung Frankenthal (Pfalz)",
        OwnerStreet = "Rathausplatz 2-7", OwnerPostalCode = "67227", OwnerCity = "Frankenthal (Pfalz)", ProcessorName = "Ludwigshafen am Rhein",
    };

    private static readonly OfficeContact FullContact = new("06233 89-0", "zulassung@frankenthal.example", "Mo–Fr 8–12 Uhr, Do 14–18 Uhr");

    [SkippableTheory]
    [InlineData("Ayşe", "Yılmaz")]
    [InlineData("Σωκράτης", "Παπαδόπουλος")]
    [InlineData("Фёдор", "Достоевский")]
    [InlineData("Łukasz", "Żółć")]
    [InlineData("Nguyễn", "Thị Minh Khai")]
    public void Bescheid_ForNamesInAnyScript_GivesThemBackExactly_WithEmbeddedFontSubsets(string given, string family)
    {
        var pdf = BescheidWriter.Render(Facts(given, family), Clerk, Outcomes.Granted, null, DecidedAt, "Zweckvereinbarung Kfz", FullContact,
            new BescheidWriter.Fee(27.90m, BescheidWriter.GebOStBasis));

        Poppler.AssertReadable(pdf, $"{given} {family}", $"Guten Tag {given} {family},", "Σοφία Ιωάννου");
        Assert.DoesNotContain('?', Poppler.Text(pdf));
    }

    [SkippableFact]
    public void Bescheid_NamesTheOfficesContact_TheFeeWithItsLegalBasis_AndTheWholeReferenceInEveryFooter()
    {
        var pdf = BescheidWriter.Render(Facts("Felix", "Fischer"), Clerk, Outcomes.Granted, null, DecidedAt, "Zweckvereinbarung Kfz", FullContact,
            new BescheidWriter.Fee(27.90m, BescheidWriter.GebOStBasis));
        var text = Normalize(Poppler.Text(pdf));

        Assert.Contains("Guten Tag Felix Fischer,", text);
        Assert.DoesNotContain("Sehr geehrte(r)", text);
        Assert.Contains("Telefon 06233 89-0", text);
        Assert.Contains("E-Mail zulassung@frankenthal.example", text);
        Assert.Contains("Öffnungszeiten Mo–Fr 8–12 Uhr, Do 14–18 Uhr", text);
        Assert.Contains("Gebühr von 27,90 € erhoben", text);
        Assert.Contains("Gebührenordnung für Maßnahmen im Straßenverkehr (GebOSt)", text);
        var pages = Poppler.Text(pdf).Split('\f', StringSplitOptions.RemoveEmptyEntries).Where(p => p.Trim().Length > 0).ToList();
        Assert.NotEmpty(pages);
        Assert.All(pages, page => Assert.Contains($"Aktenzeichen {Reference} · ", page));
    }

    [SkippableFact]
    public void Bescheid_LeavesOutUnknownContactLines_AndWithoutAKnownFeeNamesOnlyItsLegalBasis()
    {
        var pdf = BescheidWriter.Render(Facts("Felix", "Fischer"), Clerk, Outcomes.Granted, null, DecidedAt, null,
            new OfficeContact(null, "buergerbuero@frankenthal.example", " "), new BescheidWriter.Fee(null, BescheidWriter.GebOStBasis));
        var text = Normalize(Poppler.Text(pdf));

        Assert.Contains("E-Mail buergerbuero@frankenthal.example", text);
        Assert.DoesNotContain("Telefon", text);
        Assert.DoesNotContain("Öffnungszeiten", text);
        Assert.Contains("gesonderter Gebührenbescheid", text);
        Assert.DoesNotContain(" €", text);
    }

    [SkippableFact]
    public void Bescheid_ForAServiceWithoutFees_OrARejection_HasNoFeeSection()
    {
        var wohngeld = BescheidWriter.Render(Facts("Felix", "Fischer", "wohngeld", null), Clerk, Outcomes.Granted, null, DecidedAt, null, OfficeContact.None, null);
        var rejected = BescheidWriter.Render(Facts("Felix", "Fischer"), Clerk, Outcomes.Rejected, "Die Unterlagen fehlen.", DecidedAt, null, OfficeContact.None,
            new BescheidWriter.Fee(27.90m, BescheidWriter.GebOStBasis));

        Assert.DoesNotContain("Gebühren", Poppler.Text(wohngeld));
        Assert.DoesNotContain("Gebühr von", Poppler.Text(rejected));
    }

    [Fact]
    public void OfficeContact_Lines_OmitsMissingParts()
    {
        Assert.Empty(OfficeContact.None.Lines());
        Assert.Equal([("Telefon", "0621 504-0")], new OfficeContact(" 0621 504-0 ", "", null).Lines());
    }

    // pdftotext breaks lines and may widen spaces; compare on single spaces.
    private static string Normalize(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");
}
