using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpenIkz.Agreements;

namespace OpenIkz.Registry.Cooperations;

/// <summary>What the validator needs to know of a municipality named as a partner.</summary>
public sealed record PartnerFacts(string Ags, string Name, string State, string? DistrictAgs);

/// <summary>The agreement an entry is linked to, as far as the validator needs it.</summary>
public sealed record LinkedAgreementFacts(long Id, string? StateLaw, string? LegalForm, IReadOnlyList<string> MemberAgs);

/// <summary>
/// Checks a register entry and names every problem in German with its field (JSON path). The limits are in
/// <see cref="Limits"/> and docs/REGISTRY.md. Nothing is stored by the caller when this throws.
/// </summary>
public static partial class CooperationValidator
{
    public static class Limits
    {
        public const int Title = 200;
        public const int Description = 5000;
        public const int Partners = 200;
        public const int Sources = 20;
        public const int Source = 500;
        public const int Mailbox = 254;
        public const int MinYear = 1900;
        public const int MaxYear = 2199;

        /// <summary>One billion euros: more is a typo.</summary>
        public const long MaxCents = 100_000_000_000;

        /// <summary>Ten thousand full-time equivalents.</summary>
        public const long MaxFteHundredths = 1_000_000;
    }

    private static string German(long n) => n.ToString("N0", CultureInfo.GetCultureInfo("de-DE"));

    public static CooperationRecord Validate(CooperationInput input, IReadOnlyDictionary<string, PartnerFacts> directory, LinkedAgreementFacts? linked)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new ValidationErrors();

        var title = TextInput.Field(errors, "title", input.Title, TextKind.Line, "Der Titel");
        if (!errors.ContainsKey("title") && (title is null || title.Length > Limits.Title))
            errors.Add("title", $"Bitte einen Titel mit höchstens {Limits.Title} Zeichen angeben.");
        var description = TextInput.Field(errors, "description", input.Description, TextKind.Paragraphs, "Die Beschreibung");
        if (!errors.ContainsKey("description") && (description is null || description.Length > Limits.Description))
            errors.Add("description", $"Bitte beschreiben Sie die Kooperation in höchstens {German(Limits.Description)} Zeichen.");

        var taskField = TaskFields.Find(input.TaskField);
        if (taskField is null)
            errors.Add("taskField", string.IsNullOrWhiteSpace(input.TaskField)
                ? "Bitte das Aufgabenfeld wählen."
                : $"Das Aufgabenfeld '{input.TaskField}' gibt es nicht (möglich: {string.Join(", ", TaskFields.All.Select(t => t.Slug))}).");

        var stateLawSlug = string.IsNullOrWhiteSpace(input.StateLaw) ? linked?.StateLaw : input.StateLaw;
        var legalFormSlug = string.IsNullOrWhiteSpace(input.LegalForm) ? linked?.LegalForm : input.LegalForm;
        var law = LegalForms.Law(stateLawSlug);
        if (law is null)
            errors.Add("stateLaw", string.IsNullOrWhiteSpace(stateLawSlug)
                ? $"Bitte das Landesrecht wählen ({string.Join(", ", LegalForms.Laws.Select(l => l.Slug))})."
                : $"Das Landesrecht '{stateLawSlug}' gibt es nicht (möglich: {string.Join(", ", LegalForms.Laws.Select(l => l.Slug))}).");
        var allForms = LegalForms.Laws.SelectMany(l => RegistryLegalForms.FormsOf(l.Slug)).Select(f => f.Slug).ToHashSet();
        if (string.IsNullOrWhiteSpace(legalFormSlug)) errors.Add("legalForm", "Bitte die Rechtsform wählen.");
        else if (!allForms.Contains(legalFormSlug)) errors.Add("legalForm", $"Die Rechtsform '{legalFormSlug}' gibt es nicht.");
        else if (law is not null && !RegistryLegalForms.IsValid(law.Slug, legalFormSlug))
            errors.Add("legalForm", $"Die Rechtsform '{legalFormSlug}' gibt es nach {law.Label} nicht (möglich: {string.Join(", ", RegistryLegalForms.FormsOf(law.Slug).Select(f => f.Label))}).");

        var partners = new List<(string Ags, string Role)>();
        string status;
        int? since = null, rollbackYear = null;
        string? rollbackReason = null;
        if (linked is not null)
        {
            // A linked entry follows its agreement: partners, status and years are read from it, live, and cannot be written.
            const string FromAgreement = "kommt bei einer mit einer Vereinbarung verknüpften Kooperation aus der Vereinbarung und kann hier nicht gesetzt werden.";
            if (input.Partners is { Count: > 0 }) errors.Add("partners", "Die Partnerliste " + FromAgreement);
            if (!string.IsNullOrWhiteSpace(input.Status)) errors.Add("status", "Der Status " + FromAgreement);
            if (input.Since is not null) errors.Add("since", "Das Jahr des Beginns " + FromAgreement);
            if (!string.IsNullOrWhiteSpace(input.RollbackReason)) errors.Add("rollbackReason", "Der Grund der Rückabwicklung " + FromAgreement);
            if (input.RollbackYear is not null) errors.Add("rollbackYear", "Das Jahr der Rückabwicklung " + FromAgreement);
            status = RegistryStatus.Planned; // stored, never shown: the view takes the agreement's status
            foreach (var ags in linked.MemberAgs)
                if (law is not null && directory.TryGetValue(ags, out var member) && member.State != law.State)
                    errors.Add("stateLaw", $"Die Kommune {member.Name} ({ags}) der Vereinbarung liegt nicht im Geltungsbereich von {law.Label}.");
        }
        else
        {
            partners = Partners(input.Partners, directory, law, errors);
            status = input.Status?.Trim() ?? "";
            if (RegistryStatus.Label(status) is null)
                errors.Add("status", status.Length == 0
                    ? "Bitte den Status wählen (geplant, in Umsetzung, umgesetzt, rückabgewickelt)."
                    : $"Den Status '{status}' gibt es nicht (möglich: {string.Join(", ", RegistryStatus.All.Select(s => s.Slug))}).");
            since = Year(errors, "since", input.Since);
            if (status == RegistryStatus.RolledBack)
            {
                rollbackReason = input.RollbackReason?.Trim();
                if (string.IsNullOrEmpty(rollbackReason))
                    errors.Add("rollbackReason", $"Bitte den Grund der Rückabwicklung angeben ({string.Join(", ", RollbackReasons.All.Select(r => r.Label))}).");
                else if (RollbackReasons.Label(rollbackReason) is null)
                    errors.Add("rollbackReason", $"Den Grund '{rollbackReason}' gibt es nicht (möglich: {string.Join(", ", RollbackReasons.All.Select(r => r.Slug))}).");
                rollbackYear = Year(errors, "rollbackYear", input.RollbackYear);
                if (input.RollbackYear is null) errors.Add("rollbackYear", "Bitte das Jahr der Rückabwicklung angeben.");
                else if (since is { } s && rollbackYear is { } r && r < s) errors.Add("rollbackYear", "Die Rückabwicklung liegt vor dem Beginn.");
            }
            else
            {
                if (!string.IsNullOrWhiteSpace(input.RollbackReason))
                    errors.Add("rollbackReason", "Einen Grund der Rückabwicklung gibt es nur bei einer rückabgewickelten Kooperation.");
                if (input.RollbackYear is not null)
                    errors.Add("rollbackYear", "Ein Jahr der Rückabwicklung gibt es nur bei einer rückabgewickelten Kooperation.");
            }
        }

        var goals = FactorList(errors, "goals", input.Goals, Factors.Goals, "Das Ziel");
        var successFactors = FactorList(errors, "successFactors", input.SuccessFactors, Factors.SuccessFactors, "Den Erfolgsfaktor");
        var obstacles = FactorList(errors, "obstacles", input.Obstacles, Factors.Obstacles, "Das Hindernis");

        var oneOff = Hundredths(errors, "oneOffCost", input.OneOffCost, "Die einmaligen Kosten", Limits.MaxCents);
        var before = Hundredths(errors, "yearlyCostBefore", input.YearlyCostBefore, "Die jährlichen Kosten vorher", Limits.MaxCents);
        var after = Hundredths(errors, "yearlyCostAfter", input.YearlyCostAfter, "Die jährlichen Kosten nachher", Limits.MaxCents);
        var fteBefore = Hundredths(errors, "fteBefore", input.FteBefore, "Die Vollzeitäquivalente vorher", Limits.MaxFteHundredths);
        var fteAfter = Hundredths(errors, "fteAfter", input.FteAfter, "Die Vollzeitäquivalente nachher", Limits.MaxFteHundredths);

        var mailbox = Mailbox(errors, input.ContactMailbox);
        var sources = Sources(errors, input.Sources);

        if (errors.Count > 0) throw new ValidationException(errors);
        return new CooperationRecord(title!, description!, taskField!.Slug, law!.Slug, legalFormSlug!, partners, since, status, rollbackReason, rollbackYear,
            goals, successFactors, obstacles, oneOff, before, after, fteBefore, fteAfter, mailbox, sources, linked?.Id);
    }

    private static List<(string Ags, string Role)> Partners(List<PartnerInput>? input, IReadOnlyDictionary<string, PartnerFacts> directory, StateLaw? law, ValidationErrors errors)
    {
        var partners = new List<(string Ags, string Role)>();
        var list = input ?? [];
        if (list.Count > Limits.Partners)
        {
            errors.Add("partners", $"Höchstens {Limits.Partners} Partner.");
            return partners;
        }
        for (var i = 0; i < list.Count; i++)
        {
            var p = list[i];
            var field = $"partners[{i}]";
            if (p is null) { errors.Add(field, "Bitte die Kommune mit ihrem amtlichen Schlüssel angeben."); continue; }
            var ags = p.Ags?.Trim() ?? "";
            var role = string.IsNullOrWhiteSpace(p.Role) ? PartnerRoles.Partner : p.Role.Trim();
            if (PartnerRoles.Label(role) is null) errors.Add($"{field}.role", $"Die Rolle '{role}' gibt es nicht (möglich: {PartnerRoles.Lead}, {PartnerRoles.Partner}).");
            if (ags.Length == 0) { errors.Add($"{field}.ags", "Bitte den amtlichen Schlüssel der Kommune angeben."); continue; }
            if (!directory.TryGetValue(ags, out var facts))
            {
                errors.Add($"{field}.ags", $"Die Kommune mit dem Schlüssel '{(ags.Length > 20 ? ags[..20] + "…" : ags)}' gibt es im Verzeichnis nicht.");
                continue;
            }
            if (partners.Any(x => x.Ags == ags)) { errors.Add($"{field}.ags", $"{facts.Name} ({ags}) ist doppelt aufgeführt."); continue; }
            if (law is not null && facts.State != law.State)
                errors.Add($"{field}.ags", $"{facts.Name} ({ags}) liegt nicht im Geltungsbereich von {law.Label}.");
            partners.Add((ags, role));
        }
        // At least two partners; a municipality and its own district are two (seeds/004 1.2.5: the Kreise take part in most cooperations).
        if (partners.Count < 2 && !errors.Keys.Any(k => k.StartsWith("partners", StringComparison.Ordinal)))
            errors.Add("partners", "Eine Kooperation hat mindestens zwei Partner, z. B. zwei Kommunen oder eine Kommune und ihren Kreis.");
        return partners;
    }

    private static int? Year(ValidationErrors errors, string field, int? year)
    {
        if (year is null) return null;
        if (year is < Limits.MinYear or > Limits.MaxYear)
        {
            errors.Add(field, $"Das Jahr muss zwischen {Limits.MinYear} und {Limits.MaxYear} liegen.");
            return null;
        }
        return year;
    }

    private static List<string> FactorList(ValidationErrors errors, string field, List<string>? input, IReadOnlyList<CatalogItem> catalog, string label)
    {
        var result = new List<string>();
        foreach (var raw in input ?? [])
        {
            var slug = raw?.Trim() ?? "";
            if (catalog.All(c => c.Slug != slug))
            {
                errors.Add(field, $"{label} '{(slug.Length > 40 ? slug[..40] + "…" : slug)}' gibt es nicht (möglich: {string.Join(", ", catalog.Select(c => c.Slug))}).");
                continue;
            }
            if (!result.Contains(slug)) result.Add(slug);
        }
        return result;
    }

    /// <summary>A non-negative figure with at most two decimals as hundredths (cents), from a JSON number or a German or invariant text.</summary>
    internal static long? Hundredths(ValidationErrors errors, string field, JsonElement? value, string label, long max)
    {
        if (value is null || value.Value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined
            || (value.Value.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(value.Value.GetString())))
            return null;
        decimal amount;
        if (value.Value.ValueKind == JsonValueKind.Number && value.Value.TryGetDecimal(out var number)) amount = number;
        else if (value.Value.ValueKind == JsonValueKind.String && TryParseDecimal(value.Value.GetString()!, out var parsed)) amount = parsed;
        else
        {
            errors.Add(field, $"{label} sind keine Zahl.");
            return null;
        }
        if (amount < 0) { errors.Add(field, $"{label} dürfen nicht negativ sein."); return null; }
        if (decimal.Round(amount, 2) != amount) { errors.Add(field, $"{label} haben höchstens zwei Nachkommastellen."); return null; }
        if (amount * 100 > max) { errors.Add(field, $"{label} sind unplausibel hoch (höchstens {German(max / 100)})."); return null; }
        return (long)(amount * 100);
    }

    /// <summary>"12.500,50", "12500,50", "12500.50" (at most one decimal separator; German thousands points when a comma is present).</summary>
    internal static bool TryParseDecimal(string text, out decimal value)
    {
        var t = text.Trim().Replace("€", "", StringComparison.Ordinal).Replace("EUR", "", StringComparison.Ordinal).Trim();
        if (t.Contains(',', StringComparison.Ordinal)) t = t.Replace(".", "", StringComparison.Ordinal).Replace(',', '.');
        return decimal.TryParse(t, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    // A mailbox address: local part of the usual characters, one @, a domain with at least one dot; no display names, no spaces.
    [GeneratedRegex(@"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")]
    private static partial Regex MailboxPattern();

    private static string? Mailbox(ValidationErrors errors, string? input)
    {
        var mailbox = TextInput.Field(errors, "contactMailbox", input, TextKind.Line, "Das Kontakt-Postfach");
        if (mailbox is null || errors.ContainsKey("contactMailbox")) return null;
        if (mailbox.Length > Limits.Mailbox || !MailboxPattern().IsMatch(mailbox) || mailbox.Contains("..", StringComparison.Ordinal)
            || mailbox.StartsWith('.') || mailbox.Contains(".@", StringComparison.Ordinal))
        {
            errors.Add("contactMailbox", "Bitte eine gültige E-Mail-Adresse eines Funktionspostfachs angeben, z. B. ikz@kreis-lippe.de (ohne Namen, ohne Leerzeichen).");
            return null;
        }
        return mailbox.ToLowerInvariant();
    }

    private static List<string> Sources(ValidationErrors errors, List<string>? input)
    {
        var sources = new List<string>();
        var list = input ?? [];
        if (list.Count > Limits.Sources) { errors.Add("sources", $"Höchstens {Limits.Sources} Quellen."); return sources; }
        for (var i = 0; i < list.Count; i++)
        {
            var source = TextInput.Field(errors, $"sources[{i}]", list[i], TextKind.Line, "Die Quelle");
            if (source is null) continue;
            if (source.Length > Limits.Source) { errors.Add($"sources[{i}]", $"Eine Quelle hat höchstens {Limits.Source} Zeichen."); continue; }
            if (!sources.Contains(source)) sources.Add(source);
        }
        if (sources.Count == 0 && !errors.Keys.Any(k => k.StartsWith("sources", StringComparison.Ordinal)))
            errors.Add("sources", "Bitte mindestens eine Quelle angeben (Bericht, Beschluss, Internetseite), aus der die Angaben stammen.");
        return sources;
    }
}
