using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OpenIkz.Appointments;
using OpenIkz.Directory;
using OpenIkz.Directory.Services;

namespace OpenIkz.Pages.Dienststellen;

/// <summary>One row of the opening hours on the form; an empty row is ignored.</summary>
public sealed class HoursRow
{
    public string? Weekday { get; set; }
    public string? Opens { get; set; }
    public string? Closes { get; set; }
    public string? Counters { get; set; }
    public bool IsEmpty => string.IsNullOrWhiteSpace(Weekday) && string.IsNullOrWhiteSpace(Opens) && string.IsNullOrWhiteSpace(Closes) && string.IsNullOrWhiteSpace(Counters);
}

/// <summary>One service of the catalogue on the form: offered or not, with its durations.</summary>
public sealed class ServiceRow
{
    public string Service { get; set; } = "";
    public bool Offered { get; set; }
    public string? Minutes { get; set; }
    public string? PerItem { get; set; }
    public string? MaxItems { get; set; }
}

/// <summary>
/// An office of the own municipality, new (/Dienststellen/Neu) or changed (/Dienststellen/{id}/Bearbeiten), by its
/// Administration: address, accessibility notes, slot length, opening hours with counters, and the services with their
/// durations. The domain checks everything (<see cref="Offices"/>); each message stands next to its field.
/// </summary>
[Authorize(Policy = DirectoryPolicies.Administration)]
public sealed class BearbeitenModel(Offices offices) : FormPageModel
{
    public const int HourRows = 10;

    [BindProperty(SupportsGet = true)] public long? Id { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Street { get; set; }
    [BindProperty] public string? PostalCode { get; set; }
    [BindProperty] public string? City { get; set; }
    [BindProperty] public string? Accessibility { get; set; }
    [BindProperty] public string? SlotMinutes { get; set; }
    [BindProperty] public List<HoursRow> Hours { get; set; } = [];
    [BindProperty] public List<ServiceRow> Services { get; set; } = [];
    [BindProperty] public bool Overbooking { get; set; }

    /// <summary>The office as stored (for its measured no-show rate), when editing.</summary>
    public Office? Stored { get; private set; }

    /// <summary>What the measured rate means for overbooking, in German ("Gemessen: 12,0 % aus 340 Terminen; …").</summary>
    public string? MeasuredRate => Stored is not { } o ? null
        : o.NoShowPermille is not { } p ? "Noch nicht gemessen."
        : $"Gemessen: {(p / 10m).ToString("0.0", Ui.German)} % aus {o.NoShowSamples} Terminen; " + (o.NoShowSamples < Office.OverbookingMinimumSamples
            ? "noch zu wenige für eine Überbuchung."
            : $"bei {MostCounters(o)} Schaltern nimmt ein Zeitfenster mit Überbuchung {MostCounters(o) + (o with { Overbooking = true }).ExtraCounters(MostCounters(o))} Termine an.");

    private static int MostCounters(Office o) => o.Hours.Select(h => h.Counters).DefaultIfEmpty(1).Max();

    public static string HoursId(int row, string part) => $"zeit-{row}-{part}";
    public static string ServiceId(int row, string part) => $"leistung-{row}-{part}";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var actor = Actor.From(User)!;
        if (Id is { } id)
        {
            Office office;
            try { office = await offices.GetAsync(id, ct); }
            catch (OfficeNotFoundException) { return NotFound(); }
            if (office.MunicipalityAgs != actor.Ags) return NotFound();
            Stored = office;
            Overbooking = office.Overbooking;
            (Name, Street, PostalCode, City, Accessibility, SlotMinutes) = (office.Name, office.Street, office.PostalCode, office.City, office.Accessibility, office.SlotMinutes.ToString(CultureInfo.InvariantCulture));
            Hours = office.Hours.Select(h => new HoursRow { Weekday = h.Weekday.ToString(CultureInfo.InvariantCulture), Opens = h.Opens, Closes = h.Closes, Counters = h.Counters.ToString(CultureInfo.InvariantCulture) }).ToList();
            Services = ServiceCatalog.All.Select(s => office.Services.FirstOrDefault(x => x.Service == s.Slug) is { } o
                ? new ServiceRow { Service = s.Slug, Offered = true, Minutes = Text(o.Minutes), PerItem = Text(o.MinutesPerItem), MaxItems = Text(o.MaxItems) }
                : new ServiceRow { Service = s.Slug }).ToList();
        }
        else
        {
            SlotMinutes = "10";
            Hours = Enumerable.Range(1, 5).Select(d => new HoursRow { Weekday = Text(d), Opens = "08:00", Closes = "12:00", Counters = "1" }).ToList();
        }
        Pad();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var actor = Actor.From(User)!;
        Pad();
        var hourRows = Hours.Select((h, i) => (h, i)).Where(x => !x.h.IsEmpty).ToList();
        var serviceRows = Services.Select((s, i) => (s, i)).Where(x => x.s.Offered).ToList();
        var input = new OfficeInput(Name, Street, PostalCode, City, Accessibility, Int(SlotMinutes),
            hourRows.Select(x => new OpeningHoursInput(Int(x.h.Weekday), x.h.Opens, x.h.Closes, Int(x.h.Counters))).ToList(),
            serviceRows.Select(x => new OfficeServiceInput(x.s.Service, Int(x.s.Minutes), Int(x.s.PerItem) ?? 0, Int(x.s.MaxItems) ?? 1)).ToList(), Overbooking);
        try
        {
            if (Id is { } id)
            {
                await offices.UpdateAsync(actor, id, input, ct);
                TempData["Message"] = $"Die Dienststelle „{Name?.Trim()}“ ist gespeichert.";
            }
            else
            {
                Id = await offices.CreateAsync(actor, input, ct);
                TempData["Message"] = $"Die Dienststelle „{Name?.Trim()}“ ist angelegt. Termine sind ab sofort buchbar.";
            }
            return Redirect("/Dienststellen");
        }
        catch (OfficeNotFoundException) { return NotFound(); }
        catch (RuleException ex) { RuleError = ex.Message; }
        catch (ValidationException ex)
        {
            foreach (var (key, messages) in ex.Errors)
                foreach (var message in messages)
                    AddError(FieldOf(key, hourRows.Select(x => x.i).ToList(), serviceRows.Select(x => x.i).ToList()), message);
        }
        return Page();
    }

    /// <summary>The input id an error key of <see cref="Offices"/> belongs to ("hours[2].closes" → the row the third entry came from).</summary>
    private static string FieldOf(string key, IReadOnlyList<int> hourRows, IReadOnlyList<int> serviceRows)
    {
        static (int Index, string Part)? Indexed(string key, string prefix)
        {
            if (!key.StartsWith(prefix + "[", StringComparison.Ordinal)) return null;
            var close = key.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || !int.TryParse(key[(prefix.Length + 1)..close], NumberStyles.None, CultureInfo.InvariantCulture, out var i)) return null;
            return (i, close + 2 <= key.Length ? key[(close + 1)..].TrimStart('.') : "");
        }
        if (Indexed(key, "hours") is { } h && h.Index < hourRows.Count)
            return HoursId(hourRows[h.Index], h.Part switch { "closes" => "ende", "counters" => "schalter", "weekday" => "tag", _ => "beginn" });
        if (Indexed(key, "services") is { } s && s.Index < serviceRows.Count)
            return ServiceId(serviceRows[s.Index], s.Part switch { "minutesPerItem" => "jestueck", "maxItems" => "hoechstens", _ => "dauer" });
        return key switch
        {
            "name" => "ds-name", "street" => "ds-strasse", "postalCode" => "ds-plz", "city" => "ds-ort", "accessibility" => "ds-barrierefreiheit",
            "slotMinutes" => "ds-takt", "hours" => HoursId(0, "tag"), "services" => ServiceId(0, "angeboten"), _ => "ds-name",
        };
    }

    private void Pad()
    {
        while (Hours.Count < HourRows) Hours.Add(new HoursRow());
        if (Services.Count != ServiceCatalog.All.Count)
            Services = ServiceCatalog.All.Select(s => Services.FirstOrDefault(x => x.Service == s.Slug) ?? new ServiceRow { Service = s.Slug }).ToList();
    }

    private static string Text(int n) => n.ToString(CultureInfo.InvariantCulture);
    private static int? Int(string? s) => int.TryParse(s?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
}
