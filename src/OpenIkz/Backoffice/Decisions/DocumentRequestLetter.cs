using System.Globalization;
using OpenIkz.Backoffice.Intake;
using OpenIkz.Directory.Services;

namespace OpenIkz.Backoffice.Decisions;

/// <summary>
/// The letter that asks the applicant for missing documents („Unterlagen anfordern“), in the name of the owning
/// municipality like the Bescheid: its authority heads and signs it, the processing clerk is named as acting on its
/// behalf. It goes into the e-file as PDF and, where the applicant gave an e-mail address, by e-mail.
/// </summary>
public static class DocumentRequestLetter
{
    /// <summary>The document type of the letter in the e-file.</summary>
    public const string DocumentType = "unterlagenanforderung";

    public const string Label = "Anforderung von Unterlagen";

    private static readonly CultureInfo German = CultureInfo.GetCultureInfo("de-DE");

    internal static Letter Compose(BescheidWriter.Facts f, Actor clerk, DateOnly until, string message, DateTime writtenAt)
    {
        var service = ServiceCatalog.Get(f.ServiceSlug);
        var group = service.CaseGroups.FirstOrDefault(g => g.Slug == f.CaseGroup)?.Label;
        var subject = service.Name + (group is null ? "" : $" – {group}");
        var (authority, _) = BescheidWriter.Letterhead(f);
        var received = BerlinTime.ToLocal(f.ReceivedAt);
        var letter = BescheidWriter.Start($"Anforderung von Unterlagen {f.Reference}", f, clerk, writtenAt, new OfficeContact(f.OwnerTelephone, f.OwnerEmail, f.OwnerOpeningHours));
        letter.Heading($"Ihr Antrag auf {subject}: Bitte reichen Sie Unterlagen nach");
        letter.Paragraph($"Guten Tag {f.GivenName} {f.FamilyName},");
        letter.Spacer(6);
        letter.Paragraph($"für die Bearbeitung Ihres Antrags vom {received.ToString("dd.MM.yyyy", German)} benötigen wir noch Folgendes:");
        letter.Spacer(4);
        letter.Paragraph(message);
        letter.Spacer(8);
        letter.Paragraph($"Bitte reichen Sie die Unterlagen bis zum {until.ToString("dd.MM.yyyy", German)} ein und geben Sie dabei das Aktenzeichen {f.Reference} an.", bold: true);
        letter.Paragraph("Liegen sie bis dahin nicht vor, kann über Ihren Antrag nach Aktenlage entschieden werden. Haben Sie Fragen oder brauchen Sie mehr Zeit, melden Sie sich bitte vor Ablauf der Frist.");
        letter.Spacer(8);
        letter.Paragraph($"Ihr Antrag wird im Namen der {authority} bearbeitet, die für ihn zuständig bleibt.");
        BescheidWriter.End(letter, f, clerk);
        return letter;
    }

    /// <summary>The letter as the e-mail's text: the same paragraphs, without the letterhead.</summary>
    internal static string MailBody(Letter letter)
    {
        var lines = new List<string>();
        var started = false;
        foreach (var block in letter.Blocks)
        {
            if (block is Letter.HeadingBlock) started = true;
            if (!started) continue;
            switch (block)
            {
                case Letter.HeadingBlock h: lines.Add(h.Text); lines.Add(""); break;
                case Letter.ParagraphBlock p: lines.Add(p.Text); break;
                case Letter.SpaceBlock: if (lines.Count > 0 && lines[^1].Length > 0) lines.Add(""); break;
            }
        }
        lines.Add("");
        lines.Add("Das Schreiben liegt dieser E-Mail als PDF bei.");
        return string.Join("\n", lines).Trim() + "\n";
    }
}
