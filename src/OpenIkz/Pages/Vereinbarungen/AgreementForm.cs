using System.Globalization;
using System.Text.Json;
using OpenIkz.Agreements;
using OpenIkz.Directory.Services;
using OpenIkz.Directory.Accounts;

namespace OpenIkz.Pages.Vereinbarungen;

/// <summary>One row of the member picker: a municipality and what it contributes. An empty row is ignored.</summary>
public sealed class MemberRow
{
    public string? Ags { get; set; }
    public bool Cases { get; set; }
    public bool Staff { get; set; }
    public string? Share { get; set; }
}

/// <summary>A place in the financing key: a service and a case group ("" = all case groups of the service).</summary>
public sealed record RateSlot(int Index, string Service, string ServiceName, string CaseGroup, string Label, bool FeeBearing);

/// <summary>
/// The agreement form as the browser sends it: text as typed (German decimals, ISO dates), a fixed number of
/// member rows and one amount pair per <see cref="RateSlot"/>. <see cref="ToInput"/> turns it into the
/// <see cref="AgreementInput"/> the domain validates, and maps the domain's error keys back to field ids.
/// </summary>
public sealed class AgreementForm
{
    public const int MinMemberRows = 6;

    /// <summary>Every service with a row for all its case groups and, where it has groups, one row per group.</summary>
    public static readonly IReadOnlyList<RateSlot> Slots = BuildSlots();

    private static List<RateSlot> BuildSlots()
    {
        var slots = new List<RateSlot>();
        foreach (var s in ServiceCatalog.All)
        {
            slots.Add(new RateSlot(slots.Count, s.Slug, s.Name, "", s.CaseGroups.Count == 0 ? "alle Fälle" : "alle Fallgruppen (wenn keine eigene Pauschale)", s.FeeBearing));
            foreach (var g in s.CaseGroups) slots.Add(new RateSlot(slots.Count, s.Slug, s.Name, g.Slug, g.Label, s.FeeBearing));
        }
        return slots;
    }

    public string? Title { get; set; }
    public List<string> Services { get; set; } = [];
    public List<MemberRow> Members { get; set; } = [];
    public string? StateLaw { get; set; }
    public string? LegalForm { get; set; }
    public bool TransfersTask { get; set; }
    public string? ValidFrom { get; set; }
    public string? ValidTo { get; set; }
    public string? NoticeMonths { get; set; }
    public string? DataProtection { get; set; }
    public string? Goals { get; set; }
    public string? EvaluationDate { get; set; }
    public List<string?> Flat { get; set; } = [];
    public List<string?> Fee { get; set; } = [];
    /// <summary>The amount per appointment (issue 11), on the slots for all case groups only.</summary>
    public List<string?> Appointment { get; set; } = [];
    public string? FeeRule { get; set; }
    public string? FeeShare { get; set; }

    public MemberRow Member(int row) => row < Members.Count ? Members[row] ?? new MemberRow() : new MemberRow();
    public string? FlatAt(int slot) => slot < Flat.Count ? Flat[slot] : null;
    public string? FeeAt(int slot) => slot < Fee.Count ? Fee[slot] : null;
    public string? AppointmentAt(int slot) => slot < Appointment.Count ? Appointment[slot] : null;
    public int MemberRowCount => Math.Max(MinMemberRows, Members.Count);

    // Field ids: the id of the input an error belongs to (the summary links to it).
    public const string TitleId = "titel", ServicesId = "leistung-0", StateLawId = "landesrecht", LegalFormId = "rechtsform", TransfersId = "uebertragen",
        ValidFromId = "beginn", ValidToId = "ende", NoticeId = "kuendigungsfrist", DataProtectionId = "datenschutz", GoalsId = "ziele",
        EvaluationId = "evaluation", RatesId = "finanzierung", FeeRuleId = "gebuehrenregel-owner", FeeShareId = "gebuehrenanteil", MembersId = "mitglieder";

    public static string MemberId(int row) => $"mitglied-{row}-kommune";
    public static string ShareId(int row) => $"mitglied-{row}-anteil";
    public static string FlatId(int slot) => $"satz-{SlotKey(slot)}-pauschale";
    public static string FeeId(int slot) => $"satz-{SlotKey(slot)}-gebuehr";
    public static string AppointmentId(int slot) => $"satz-{SlotKey(slot)}-termin";
    private static string SlotKey(int slot) => slot < Slots.Count ? Slots[slot].Service + "-" + (Slots[slot].CaseGroup.Length == 0 ? "alle" : Slots[slot].CaseGroup) : "0";
    public static string ServiceId(string slug) => "leistung-" + ServiceCatalog.All.ToList().FindIndex(s => s.Slug == slug);

    /// <summary>The form filled with an agreement's terms (for editing a draft).</summary>
    public static AgreementForm From(AgreementDetails a)
    {
        var form = new AgreementForm
        {
            Title = a.Title,
            Services = a.Services.ToList(),
            Members = a.Members.Select(m => new MemberRow { Ags = m.Ags, Cases = m.ContributesCases, Staff = m.ContributesStaff, Share = m.CapacitySharePercent?.ToString(CultureInfo.InvariantCulture) }).ToList(),
            StateLaw = a.StateLaw,
            LegalForm = a.LegalForm,
            TransfersTask = a.TransfersTask,
            ValidFrom = BackofficeUi.IsoDate(a.ValidFrom),
            ValidTo = a.ValidTo is { } to ? BackofficeUi.IsoDate(to) : null,
            NoticeMonths = a.NoticeMonths.ToString(CultureInfo.InvariantCulture),
            DataProtection = a.DataProtection,
            Goals = a.Goals,
            EvaluationDate = a.EvaluationDate is { } e ? BackofficeUi.IsoDate(e) : null,
            FeeRule = a.FeeRule,
            FeeShare = a.FeeSharePercent?.ToString("0.##", Ui.German),
        };
        form.Flat = Slots.Select(_ => (string?)null).ToList();
        form.Fee = Slots.Select(_ => (string?)null).ToList();
        form.Appointment = Slots.Select(_ => (string?)null).ToList();
        foreach (var r in a.Rates)
        {
            var slot = Slots.FirstOrDefault(s => s.Service == r.Service && s.CaseGroup == r.CaseGroup);
            if (slot is null) continue;
            form.Flat[slot.Index] = r.FlatAmount.ToString("N2", Ui.German);
            form.Fee[slot.Index] = r.Fee is { } fee ? fee.ToString("N2", Ui.German) : null;
            form.Appointment[slot.Index] = r.PerAppointment is { } perAppointment ? perAppointment.ToString("N2", Ui.German) : null;
        }
        return form;
    }

    /// <summary>
    /// The input for the domain, or the errors of what cannot even be read (dates, whole numbers), keyed by field id.
    /// Empty member rows and the amounts of services not chosen are left out; <paramref name="memberRows"/> and
    /// <paramref name="rateSlots"/> say which row or slot each entry of the input came from.
    /// </summary>
    public AgreementInput ToInput(Dictionary<string, List<string>> errors, out List<int> memberRows, out List<int> rateSlots)
    {
        void Add(string id, string message)
        {
            if (!errors.TryGetValue(id, out var list)) errors[id] = list = [];
            if (!list.Contains(message)) list.Add(message);
        }

        var members = new List<MemberInput>();
        memberRows = [];
        for (var row = 0; row < Members.Count; row++)
        {
            var m = Members[row];
            if (m is null || string.IsNullOrWhiteSpace(m.Ags))
            {
                if (m is not null && (m.Cases || m.Staff || !string.IsNullOrWhiteSpace(m.Share)))
                    Add(MemberId(row), $"Mitglied {row + 1}: Bitte wählen Sie die Kommune.");
                continue;
            }
            int? share = null;
            if (!string.IsNullOrWhiteSpace(m.Share))
            {
                if (int.TryParse(m.Share.Trim().TrimEnd('%').Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s)) share = s;
                else Add(ShareId(row), $"Mitglied {row + 1}: Der Kapazitätsanteil ist eine ganze Zahl von 0 bis 100.");
            }
            members.Add(new MemberInput(m.Ags.Trim(), m.Cases, m.Staff, share));
            memberRows.Add(row);
        }

        var chosen = Services.Where(s => !string.IsNullOrWhiteSpace(s)).Distinct().ToList();
        var rates = new List<RateInput>();
        rateSlots = [];
        foreach (var slot in Slots.Where(s => chosen.Contains(s.Service)))
        {
            var flat = FlatAt(slot.Index);
            var fee = FeeAt(slot.Index);
            var appointment = AppointmentAt(slot.Index);
            if (string.IsNullOrWhiteSpace(flat) && string.IsNullOrWhiteSpace(fee) && string.IsNullOrWhiteSpace(appointment)) continue;
            rates.Add(new RateInput(slot.Service, slot.CaseGroup, JsonSerializer.SerializeToElement(flat ?? ""),
                string.IsNullOrWhiteSpace(fee) ? null : JsonSerializer.SerializeToElement(fee),
                string.IsNullOrWhiteSpace(appointment) ? null : JsonSerializer.SerializeToElement(appointment)));
            rateSlots.Add(slot.Index);
        }

        int? notice = null;
        if (!string.IsNullOrWhiteSpace(NoticeMonths))
        {
            if (int.TryParse(NoticeMonths.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) notice = n;
            else Add(NoticeId, "Die Kündigungsfrist ist eine ganze Zahl von Monaten (0 bis 60).");
        }

        return new AgreementInput(
            Title, chosen, members, Blank(StateLaw), Blank(LegalForm), TransfersTask,
            Date(ValidFrom, ValidFromId, "Der Beginn", Add), Date(ValidTo, ValidToId, "Das Ende", Add), notice,
            DataProtection, Goals, Date(EvaluationDate, EvaluationId, "Das Evaluationsdatum", Add), rates,
            Blank(FeeRule) ?? "owner", FeeRule == "share" ? JsonSerializer.SerializeToElement(FeeShare ?? "") : null);
    }

    /// <summary>The field id for an error key of the domain (<see cref="AgreementValidator"/>).</summary>
    public static string FieldId(string key, IReadOnlyList<int> memberRows, IReadOnlyList<int> rateSlots)
    {
        if (key.StartsWith("members[", StringComparison.Ordinal) && Index(key) is { } m)
            return MemberId(m < memberRows.Count ? memberRows[m] : 0);
        if (key.StartsWith("rates[", StringComparison.Ordinal) && Index(key) is { } r)
        {
            var slot = r < rateSlots.Count ? rateSlots[r] : 0;
            return key.EndsWith(".fee", StringComparison.Ordinal) ? FeeId(slot)
                : key.EndsWith(".perAppointment", StringComparison.Ordinal) ? AppointmentId(slot) : FlatId(slot);
        }
        return key switch
        {
            "title" => TitleId,
            "services" => ServicesId,
            "members" => MembersId,
            "stateLaw" => StateLawId,
            "legalForm" => LegalFormId,
            "transfersTask" => TransfersId,
            "validFrom" => ValidFromId,
            "validTo" => ValidToId,
            "noticeMonths" => NoticeId,
            "dataProtection" => DataProtectionId,
            "goals" => GoalsId,
            "evaluationDate" => EvaluationId,
            "rates" => RatesId,
            "feeRule" => FeeRuleId,
            "feeSharePercent" => FeeShareId,
            _ => "",
        };
    }

    /// <summary>The step of the guided form a field is on (0 Grunddaten … 4 Laufzeit); anything else belongs to the last step, Prüfen.</summary>
    public static int StepOf(string fieldId) => fieldId switch
    {
        TitleId or GoalsId => 0,
        _ when fieldId.StartsWith("leistung-", StringComparison.Ordinal) => 0,
        MembersId => 1,
        _ when fieldId.StartsWith("mitglied-", StringComparison.Ordinal) => 1,
        StateLawId or LegalFormId or TransfersId or DataProtectionId => 2,
        RatesId or FeeRuleId or FeeShareId => 3,
        _ when fieldId.StartsWith("satz-", StringComparison.Ordinal) => 3,
        ValidFromId or ValidToId or NoticeId or EvaluationId => 4,
        _ => 5,
    };

    /// <summary>The order of the fields on the page (for the error summary).</summary>
    public List<string> FieldOrder()
    {
        var order = new List<string> { TitleId, ServicesId, MembersId };
        for (var row = 0; row < MemberRowCount; row++) { order.Add(MemberId(row)); order.Add(ShareId(row)); }
        order.AddRange([StateLawId, LegalFormId, TransfersId, ValidFromId, ValidToId, NoticeId, DataProtectionId, GoalsId, EvaluationId, RatesId]);
        foreach (var slot in Slots) { order.Add(FlatId(slot.Index)); order.Add(FeeId(slot.Index)); order.Add(AppointmentId(slot.Index)); }
        order.AddRange([FeeRuleId, FeeShareId]);
        return order;
    }

    private static int? Index(string key)
    {
        var open = key.IndexOf('[');
        var close = key.IndexOf(']');
        return open >= 0 && close > open && int.TryParse(key[(open + 1)..close], NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : null;
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static DateOnly? Date(string? text, string id, string label, Action<string, string> add)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var t = text.Trim();
        if (DateOnly.TryParseExact(t, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            || DateOnly.TryParseExact(t, "dd.MM.yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out d)) return d;
        add(id, $"{label} ist kein gültiges Datum (TT.MM.JJJJ).");
        return null;
    }
}

/// <summary>Labels and helpers of the agreement pages.</summary>
public static class AgreementUi
{
    public static string Euro(decimal amount) => amount.ToString("N2", Ui.German) + " €";

    public static string ServiceNames(IEnumerable<string> slugs) => string.Join(", ", slugs.Select(BackofficeUi.ServiceName));

    public static string FeeRuleLabel(string rule, decimal? share) => rule == "share"
        ? $"Anteil von {(share ?? 0).ToString("0.##", Ui.German)} % der Gebühr für die bearbeitende Kommune"
        : "Gebühren bleiben bei der zuständigen Kommune";

    /// <summary>The KERN badge variant for a status.</summary>
    public static string BadgeClass(string status, DateOnly from, DateOnly? to, DateOnly today) => status switch
    {
        AgreementStatus.Draft => "kern-badge--info",
        AgreementStatus.Consented or AgreementStatus.Submitted => "kern-badge--warning",
        AgreementStatus.Approved or AgreementStatus.Active when to is { } end && today > end => "kern-badge--danger",
        AgreementStatus.Approved or AgreementStatus.Active => "kern-badge--success",
        AgreementStatus.Terminated when to is { } end && today <= end => "kern-badge--warning",
        _ => "kern-badge--danger",
    };

    /// <summary>Field errors of the domain keyed by field id: the message for everything the form cannot place goes to <paramref name="rest"/>.</summary>
    public static void Merge(ValidationErrors source, Func<string, string> fieldId, Dictionary<string, List<string>> into, List<string> rest)
    {
        foreach (var (key, messages) in source)
        {
            var id = fieldId(key);
            foreach (var message in messages)
            {
                if (id.Length == 0) { if (!rest.Contains(message)) rest.Add(message); continue; }
                if (!into.TryGetValue(id, out var list)) into[id] = list = [];
                if (!list.Contains(message)) list.Add(message);
            }
        }
    }
}
