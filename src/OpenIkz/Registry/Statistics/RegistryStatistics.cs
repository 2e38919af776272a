namespace OpenIkz.Registry.Statistics;

/// <summary>The filter of the statistics: a state (code, name or AGS prefix) and a Kreis (its five-digit key).</summary>
public sealed record StatisticsFilter(string? State = null, string? District = null);

/// <summary>A Kreis the statistics can be filtered by.</summary>
public sealed record DistrictOption(string Ags, string Name, string State);

/// <summary>The resolved filter: the state's code and name, the Kreis's key and name (each null when not filtered).</summary>
public sealed record StatisticsScope(string? State, string? StateName, string? District, string? DistrictName);

/// <summary>A count and its share of a base in percent, one decimal, half away from zero (null when the base is 0).</summary>
public sealed record CountShare(long Count, decimal? Share)
{
    public static CountShare Of(long count, long total) => new(count, Percent(count, total));

    public static decimal? Percent(long count, long total) =>
        total == 0 ? null : Math.Round(100m * count / total, 1, MidpointRounding.AwayFromZero);
}

/// <summary>A size segment: the directory's municipalities in it and the implemented activities of those municipalities.</summary>
public sealed record SegmentFigures(string Segment, string Label, long Municipalities, CountShare Activities);

/// <summary>
/// One task field. <see cref="Implemented"/>: municipalities of the scope that are a partner of at least one implemented
/// entry in the field (count and share of all municipalities of the scope), and the implemented entries in the field.
/// <see cref="Planned"/>: the same for planned entries (geplant or in Umsetzung), split into municipalities that plan in the
/// field for the first time (no implemented entry there) and again (gpaNRW 1.2.4: "davon 15 zum ersten und 35 zum
/// wiederholten Male").
/// </summary>
public sealed record TaskFieldFigures(string TaskField, string Label, TaskFieldMeasure Implemented, TaskFieldPlanned Planned);

public sealed record TaskFieldMeasure(long Municipalities, decimal? Share, long Entries);

public sealed record TaskFieldPlanned(long Municipalities, decimal? Share, long Entries, long FirstTime, long Repeat);

/// <summary>One row of the legal-form table: the implemented activities of a segment and their split by legal form.</summary>
public sealed record LegalFormRow(string Segment, string Label, long Activities, IReadOnlyList<CountShare> Values);

/// <summary>The legal forms of implemented activities per segment, in the columns of gpaNRW's table, and over all segments.</summary>
public sealed record LegalFormTable(IReadOnlyList<CatalogItem> LegalForms, IReadOnlyList<LegalFormRow> Rows, LegalFormRow Total);

/// <summary>A Kreis and its implemented activities: those of the Kreis itself and of the municipalities in it (gpaNRW 1.3.2:
/// "die … umgesetzten IKZ-Aktivitäten den Kreisen zugeordnet").</summary>
public sealed record DistrictFigures(string Ags, string Name, long Activities);

/// <summary>Every Kreis of the scope (with zeros) and the five-number summary of their activities.</summary>
public sealed record DistrictStatistics(FiveNumberSummary Activities, IReadOnlyList<DistrictFigures> Items);

/// <summary>A category (status, reason, goal, success factor, obstacle) with its count and share.</summary>
public sealed record CategoryCount(string Slug, string Label, long Count, decimal? Share);

/// <summary>Categories of one kind: how many entries of the scope name at least one (the base of the shares) and each category.</summary>
public sealed record CategoryStatistics(long Entries, IReadOnlyList<CategoryCount> Items);

/// <summary>Rolled-back entries, the municipalities of the scope that are partner of one (and their share), and the reasons.</summary>
public sealed record RollbackStatistics(long Entries, long Municipalities, decimal? MunicipalityShare, IReadOnlyList<CategoryCount> Reasons);

/// <summary>A printed table of the reference: section, caption, column heads, rows.</summary>
public sealed record ReferenceTable(string Section, string Caption, IReadOnlyList<string> Columns, IReadOnlyList<ReferenceRow> Rows);

/// <summary>The printed Kreise quartiles.</summary>
public sealed record ReferenceDistricts(string Section, string Caption, string Label, FiveNumberSummary Summary);

/// <summary>What gpaNRW published for NRW 2025 (<see cref="GpaNrw2025"/>), carried by every statistics response.</summary>
public sealed record ReferenceBlock(
    string Publisher, string Title, string Published, string Period, string State, string Rights,
    ReferenceTable SegmentCounts, ReferenceTable LegalFormsBySegment, ReferenceDistricts Districts,
    IReadOnlyList<ReferenceFigure> Figures, IReadOnlyList<ReferenceTaskField> TaskFields)
{
    public static readonly ReferenceBlock Instance = new(
        GpaNrw2025.Publisher, GpaNrw2025.Title, GpaNrw2025.Published, GpaNrw2025.Period, GpaNrw2025.State, GpaNrw2025.Rights,
        new ReferenceTable(GpaNrw2025.SegmentCountsSection, GpaNrw2025.SegmentCountsCaption, ["Anzahl"], GpaNrw2025.SegmentCounts),
        new ReferenceTable(GpaNrw2025.LegalFormsSection, GpaNrw2025.LegalFormsCaption, GpaNrw2025.LegalFormColumns, GpaNrw2025.LegalFormsBySegment),
        new ReferenceDistricts(GpaNrw2025.DistrictsSection, GpaNrw2025.DistrictsCaption, GpaNrw2025.DistrictsRowLabel, GpaNrw2025.Districts),
        GpaNrw2025.Figures, GpaNrw2025.TaskFields);
}

/// <summary>
/// The register's statistics for a scope, computed live from the entries and the directory (docs/REGISTRY.md, "Statistics",
/// defines every figure), with the gpaNRW reference beside them.
/// <see cref="Municipalities"/>: the directory's municipalities in the scope (the base of every municipality share);
/// <see cref="Entries"/>: entries with at least one partner in the scope; <see cref="Activities"/>: implemented
/// participations (an implemented entry counts once for each of its partners in the scope, as each partner reported its
/// projects to gpaNRW).
/// </summary>
public sealed record RegistryStatistics(
    StatisticsScope Scope,
    long Municipalities,
    long Entries,
    long ImplementedEntries,
    long Activities,
    IReadOnlyList<SegmentFigures> Segments,
    IReadOnlyList<TaskFieldFigures> TaskFields,
    LegalFormTable LegalFormsBySegment,
    DistrictStatistics Districts,
    FiveNumberSummary MunicipalityActivities,
    IReadOnlyList<CategoryCount> Statuses,
    RollbackStatistics Rollbacks,
    CategoryStatistics Goals,
    CategoryStatistics SuccessFactors,
    CategoryStatistics Obstacles,
    DateTimeOffset ComputedAt,
    ReferenceBlock Reference);
