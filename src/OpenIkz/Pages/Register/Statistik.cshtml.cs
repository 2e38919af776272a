using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using OpenIkz.Directory.Municipalities;
using OpenIkz.Registry;
using OpenIkz.Registry.Statistics;

namespace OpenIkz.Pages.Register;

/// <summary>
/// The register's statistics beside the gpaNRW figures of NRW 2025 (public). Every chart has a table with the same
/// figures; the charts are drawn by /js/statistik.js from the data-chart attribute of their canvas, and without script the
/// tables carry everything.
/// </summary>
public sealed class StatistikModel(RegistryStatisticsQueries statistics) : FormPageModel
{
    /// <summary>At most this many Kreise are listed one by one (and drawn); above it the page asks for a state.</summary>
    public const int MaxListedDistricts = 60;

    [BindProperty(SupportsGet = true, Name = "state")] public string? State { get; set; }
    [BindProperty(SupportsGet = true, Name = "district")] public string? District { get; set; }

    public RegistryStatistics? Statistics { get; private set; }
    public IReadOnlyList<DistrictOption> Districts { get; private set; } = [];

    public string? SelectedState { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        State = Clip(State, 40);
        District = Clip(District, 12);
        SelectedState = States.TryParse(State, out var code) ? code : null;
        try
        {
            Statistics = await statistics.ComputeAsync(new StatisticsFilter(State, District), ct);
            SelectedState = Statistics.Scope.State;
        }
        catch (ValidationException e)
        {
            Absorb(e, new Dictionary<string, string> { ["state"] = "state", ["district"] = "district" });
        }
        // The Kreise of the chosen (or the district's) state; all when no state is chosen.
        var all = await statistics.DistrictsAsync(ct);
        Districts = SelectedState is null ? all : all.Where(d => d.State == SelectedState).ToList();
    }

    private static string? Clip(string? text, int max)
    {
        var t = text?.Trim();
        return string.IsNullOrEmpty(t) ? null : t.Length > max ? t[..max] : t;
    }

    public string ApiUrl => "/api/v1/registry/statistics" + (Statistics?.Scope is { } s
        ? (s.District is not null ? "?district=" + s.District : s.State is not null ? "?state=" + s.State : "")
        : "");

    public string ScopeLabel => Statistics?.Scope switch
    {
        { DistrictName: { } d } => d,
        { StateName: { } s } => s,
        _ => "alle Länder",
    };

    // ---- formatting (German)

    public static string N(long value) => value.ToString("N0", Ui.German);

    public static string N(decimal? value) => value is null ? "–" : value.Value.ToString(value.Value == decimal.Truncate(value.Value) ? "N0" : "#,##0.##", Ui.German);

    public static string P(decimal? share) => share is null ? "–" : share.Value.ToString("N1", Ui.German) + " %";

    public static string CountAndShare(long count, decimal? share) => share is null ? N(count) : $"{N(count)} ({P(share)})";

    public static string Reference(string key) => GpaNrw2025.Display(GpaNrw2025.Figure(key));

    /// <summary>The gpaNRW figure a task field's measure stands beside ("mehr als 75 % (1.2.3)", "50 Kommunen (1.2.4)"), or "–".</summary>
    public static string TaskFieldReference(string taskField, string measure)
    {
        var refs = GpaNrw2025.TaskFields.Where(t => t.TaskField == taskField && t.Measure == measure).Select(t => GpaNrw2025.Figure(t.FigureKey)).ToList();
        return refs.Count == 0 ? "–" : string.Join("; ", refs.Select(f => $"{GpaNrw2025.Display(f)}{(f.Unit == "Anzahl" ? " Kommunen" : "")} ({f.Section})"));
    }

    /// <summary>What gpaNRW printed about a goal or obstacle, where it printed a number (the measure differs: see the words).</summary>
    public static string CategoryReference(string kind, string slug) => (kind, slug) switch
    {
        (Factors.Goal, "fachkraeftemangel") => Described("kleine-fachkraeftemangel", "der kleinen kreisangehörigen Kommunen"),
        (Factors.Obstacle, "mangelnde-wirtschaftlichkeit") => Described("wirtschaftlichkeit-kommunen", "der kreisangehörigen Kommunen"),
        (Factors.Obstacle, "interne-widerstaende") => Described("grosse-interne-widerstaende", "der geprüften Vorhaben großer kreisangehöriger Städte"),
        (Factors.Obstacle, "kein-partner") => Described("kein-partner", "der Kommunen und Kreise"),
        (Factors.Obstacle, "sonstige-gruende") => Described("kreise-sonstige-gruende", "der gescheiterten Vorhaben der Kreise"),
        _ => "–",
    };

    private static string Described(string key, string of)
    {
        var f = GpaNrw2025.Figure(key);
        return $"{GpaNrw2025.Display(f)} {of} ({f.Section})";
    }

    /// <summary>What gpaNRW printed about the implemented activities of a segment.</summary>
    public static string SegmentActivitiesReference(string segment) => segment switch
    {
        Segments.Small => $"{N(GpaNrw2025.Figure("aktivitaeten-kleine").Value)} von {N(GpaNrw2025.Figure("aktivitaeten").Value)} ({GpaNrw2025.Figure("aktivitaeten-kleine").Section})",
        Segments.District => $"{Reference("kreise-anteil-aktivitaeten")} ({GpaNrw2025.Figure("kreise-anteil-aktivitaeten").Section})",
        _ => "–",
    };

    public static string SegmentCountReference(string segment) =>
        GpaNrw2025.SegmentCounts.FirstOrDefault(r => r.Segment == segment) is { } r ? N(r.Values.Single()) : "–";

    // ---- chart data: one object per canvas, read by /js/statistik.js

    private static readonly JsonSerializerOptions ChartJson = new(JsonSerializerDefaults.Web);

    public sealed record ChartSeries(string Label, IReadOnlyList<decimal> Data);

    public sealed record ChartSpec(IReadOnlyList<string> Labels, IReadOnlyList<ChartSeries> Datasets, bool Horizontal, string Unit, int Height);

    public static string Chart(IReadOnlyList<string> labels, IReadOnlyList<ChartSeries> series, bool horizontal, bool percent) =>
        JsonSerializer.Serialize(new ChartSpec(labels, series, horizontal, percent ? "%" : "",
            horizontal ? Math.Max(220, 60 + labels.Count * (14 + 12 * series.Count)) : 320), ChartJson);

    public static decimal Value(decimal? share) => share ?? 0;
}

/// <summary>Model of the partial that shows categories (statuses, reasons, goals, success factors, obstacles) as a table.</summary>
public sealed record StatistikKategorien(string Id, string Caption, string Column, IReadOnlyList<CategoryCount> Items, long Base, string? FactorKind);
