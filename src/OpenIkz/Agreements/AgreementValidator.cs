using System.Globalization;
using System.Text.Json;
using OpenIkz.Directory.Services;
using OpenIkz.Directory.Accounts;

namespace OpenIkz.Agreements;

/// <summary>The agreement form as sent by the UI or the API; amounts may arrive as numbers or text.</summary>
public sealed record AgreementInput(
    string? Title,
    List<string>? Services,
    List<MemberInput>? Members,
    string? StateLaw,
    string? LegalForm,
    bool? TransfersTask,
    DateOnly? ValidFrom,
    DateOnly? ValidTo,
    int? NoticeMonths,
    string? DataProtection,
    string? Goals,
    DateOnly? EvaluationDate,
    List<RateInput>? Rates,
    string? FeeRule,
    JsonElement? FeeSharePercent);

public sealed record MemberInput(string? Ags, bool? ContributesCases, bool? ContributesStaff, int? CapacitySharePercent);

public sealed record RateInput(string? Service, string? CaseGroup, JsonElement? FlatAmount, JsonElement? Fee, JsonElement? PerAppointment = null);

/// <summary>Checks an agreement's terms and names every problem in German with its field.</summary>
public static class AgreementValidator
{
    public static AgreementTerms Validate(AgreementInput input, IReadOnlyDictionary<string, string> memberStates, IReadOnlyDictionary<string, string>? names = null)
    {
        var errors = new ValidationErrors();
        // A municipality is named as people know it ("Halberstadt"), its key only when there is no name for it.
        string Named(string ags) => names is not null && names.TryGetValue(ags, out var name) ? name : $"Die Kommune '{ags}'";
        var title = TextInput.Field(errors, "title", input.Title, TextKind.Line, "Der Titel") ?? "";
        if (title.Length is 0 or > 200 && !errors.ContainsKey("title")) errors.Add("title", "Bitte einen Titel mit höchstens 200 Zeichen angeben.");

        var services = (input.Services ?? []).Select(s => s.Trim()).Where(s => s.Length > 0).Distinct().ToList();
        if (services.Count == 0) errors.Add("services", "Bitte mindestens eine Leistung wählen.");
        foreach (var s in services.Where(s => ServiceCatalog.Find(s) is null)) errors.Add("services", $"Die Leistung '{s}' gibt es nicht.");

        var law = LegalForms.Law(input.StateLaw);
        if (law is null) errors.Add("stateLaw", string.IsNullOrWhiteSpace(input.StateLaw) ? "Bitte das Landesrecht wählen."
            : $"Das Landesrecht '{input.StateLaw}' kennt OpenIKZ nicht (möglich: {string.Join(", ", LegalForms.Laws.Select(l => l.Slug))}).");
        var form = law?.Form(input.LegalForm);
        if (law is not null && form is null)
            errors.Add("legalForm", string.IsNullOrWhiteSpace(input.LegalForm) ? $"Bitte die Rechtsform wählen (nach {law.Dative}: {string.Join(", ", law.Forms.Select(f => f.Label))})."
                : $"Die Rechtsform „{LegalForms.Laws.Select(l => l.Form(input.LegalForm)).FirstOrDefault(f => f is not null)?.Label ?? input.LegalForm}“ gibt es nach {law.Dative} nicht (möglich: {string.Join(", ", law.Forms.Select(f => f.Label))}).");
        var transfers = input.TransfersTask ?? false;
        if (form is { CanTransferTask: false } && transfers)
            errors.Add("transfersTask", $"In einer {form.Label} bleibt die Aufgabe bei den Mitgliedern; sie kann nicht übertragen werden ({form.LegalBasis}).");

        var members = new List<AgreementMember>();
        var seen = new HashSet<string>();
        for (var i = 0; i < (input.Members ?? []).Count; i++)
        {
            var m = input.Members![i];
            var field = $"members[{i}]";
            var ags = m.Ags?.Trim() ?? "";
            if (!memberStates.TryGetValue(ags, out var state)) { errors.Add(field, $"Die Kommune '{ags}' gibt es nicht."); continue; }
            if (!seen.Add(ags)) { errors.Add(field, $"{Named(ags)} ist doppelt aufgeführt."); continue; }
            if (m.ContributesCases != true && m.ContributesStaff != true)
                errors.Add(field, "Jedes Mitglied bringt Vorgänge, Personal oder beides ein.");
            if (m.CapacitySharePercent is < 0 or > 100) errors.Add(field, "Der Kapazitätsanteil liegt zwischen 0 und 100 Prozent.");
            if (law is not null && state != law.State) errors.Add(field, $"{Named(ags)} liegt nicht im Geltungsbereich {law.Genitive}.");
            members.Add(new AgreementMember(ags, m.ContributesCases == true, m.ContributesStaff == true, m.CapacitySharePercent));
        }
        if (members.Count < 2) errors.Add("members", "Eine Vereinbarung hat mindestens zwei Mitglieder.");
        else if (!members.Any(m => m.ContributesCases) || !members.Any(m => m.ContributesStaff))
            errors.Add("members", "Mindestens ein Mitglied bringt Vorgänge und mindestens eines Personal ein.");
        if (members.Sum(m => m.CapacitySharePercent ?? 0) > 100) errors.Add("members", "Die Kapazitätsanteile ergeben zusammen mehr als 100 Prozent.");

        if (input.ValidFrom is null) errors.Add("validFrom", "Bitte den Beginn angeben.");
        InputDates.Check(errors, "validFrom", input.ValidFrom);
        InputDates.Check(errors, "validTo", input.ValidTo);
        InputDates.Check(errors, "evaluationDate", input.EvaluationDate);
        if (input.ValidTo is { } to && input.ValidFrom is { } from && to <= from) errors.Add("validTo", "Das Ende liegt vor dem Beginn.");
        var notice = input.NoticeMonths ?? 6;
        if (notice is < 0 or > 60) errors.Add("noticeMonths", "Die Kündigungsfrist liegt zwischen 0 und 60 Monaten.");
        var dataProtection = TextInput.Field(errors, "dataProtection", input.DataProtection, TextKind.Paragraphs, "Der Datenschutztext") ?? "";
        if (dataProtection.Length is 0 or > 10000 && !errors.ContainsKey("dataProtection")) errors.Add("dataProtection", "Bitte die Regelungen zum Datenschutz angeben (höchstens 10.000 Zeichen).");
        var goals = TextInput.Field(errors, "goals", input.Goals, TextKind.Paragraphs, "Der Text der Ziele");
        if (goals is { Length: > 5000 }) errors.Add("goals", "Die Ziele dürfen höchstens 5.000 Zeichen lang sein.");
        if (input.EvaluationDate is { } eval && input.ValidFrom is { } start && eval <= start) errors.Add("evaluationDate", "Die Evaluation liegt nach dem Beginn.");

        var rates = new List<AgreementRate>();
        var rateKeys = new HashSet<(string, string)>();
        for (var i = 0; i < (input.Rates ?? []).Count; i++)
        {
            var r = input.Rates![i];
            var field = $"rates[{i}]";
            var service = ServiceCatalog.Find(r.Service);
            if (service is null || !services.Contains(service.Slug)) { errors.Add($"{field}.service", $"Die Leistung '{r.Service}' gehört nicht zu dieser Vereinbarung."); continue; }
            var group = r.CaseGroup?.Trim() ?? "";
            if (group.Length > 0 && service.CaseGroups.All(g => g.Slug != group)) errors.Add($"{field}.caseGroup", $"Die Fallgruppe '{group}' gibt es bei {service.Name} nicht.");
            if (!rateKeys.Add((service.Slug, group))) errors.Add(field, "Für diese Leistung und Fallgruppe gibt es schon einen Satz.");
            // A row may carry only the amount per appointment: its case flat is then 0 (the same as no row for the cases).
            var perAppointment = Amount(r.PerAppointment, $"{field}.perAppointment", "Die Pauschale je Termin", errors, required: false);
            var flat = Amount(r.FlatAmount, $"{field}.flatAmount", "Die Fallpauschale", errors, required: perAppointment is null) ?? (perAppointment is null ? null : 0m);
            var fee = Amount(r.Fee, $"{field}.fee", "Die Gebühr", errors, required: false);
            if (fee is not null && !service.FeeBearing) errors.Add($"{field}.fee", $"{service.Name} ist nicht gebührenpflichtig.");
            if (perAppointment is not null && group.Length > 0) errors.Add($"{field}.perAppointment", "Die Pauschale je Termin gilt für die ganze Leistung, nicht für eine Fallgruppe.");
            if (flat is not null) rates.Add(new AgreementRate(service.Slug, group, flat.Value, fee, perAppointment));
        }
        if (services.Count > 0 && rates.Count == 0) errors.Add("rates", "Bitte den Finanzierungsschlüssel angeben: mindestens eine Fallpauschale.");

        var feeRule = input.FeeRule ?? "owner";
        decimal? feeShare = null;
        if (feeRule is not ("owner" or "share")) errors.Add("feeRule", "Die Gebühren bleiben bei der zuständigen Kommune ('owner') oder ein Anteil geht an die bearbeitende ('share').");
        else if (feeRule == "share")
        {
            feeShare = Amount(input.FeeSharePercent, "feeSharePercent", "Der Gebührenanteil", errors, required: true);
            if (feeShare > 100) errors.Add("feeSharePercent", "Der Gebührenanteil liegt zwischen 0 und 100 Prozent.");
        }

        if (errors.Count > 0) throw new ValidationException(errors);
        return new AgreementTerms(title, services, members, law!.Slug, form!.Slug, transfers, input.ValidFrom!.Value, input.ValidTo, notice,
            dataProtection, goals, input.EvaluationDate, rates, feeRule, feeShare);
    }

    /// <summary>A non-negative amount with at most two decimals, from a JSON number or a text in German ("12,50") or invariant form.</summary>
    public static decimal? Amount(JsonElement? value, string field, string label, ValidationErrors errors, bool required)
    {
        if (value is null || value.Value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined
            || (value.Value.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(value.Value.GetString())))
        {
            if (required) errors.Add(field, $"{label} fehlt.");
            return null;
        }
        decimal amount;
        if (value.Value.ValueKind == JsonValueKind.Number && value.Value.TryGetDecimal(out var number)) amount = number;
        else if (value.Value.ValueKind == JsonValueKind.String && TryParseAmount(value.Value.GetString()!, out var parsed)) amount = parsed;
        else
        {
            errors.Add(field, $"{label} ist keine Zahl.");
            return null;
        }
        if (amount < 0) { errors.Add(field, $"{label} darf nicht negativ sein."); return null; }
        if (decimal.Round(amount, 2) != amount) { errors.Add(field, $"{label} hat höchstens zwei Nachkommastellen."); return null; }
        if (amount > 1_000_000m) { errors.Add(field, $"{label} ist unplausibel hoch."); return null; }
        return amount;
    }

    public static bool TryParseAmount(string text, out decimal amount)
    {
        var t = text.Trim().Replace("€", "").Replace("EUR", "").Trim();
        if (t.Contains(',')) t = t.Replace(".", "").Replace(',', '.');
        return decimal.TryParse(t, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out amount);
    }
}
