using OpenIkz.Registry;
using OpenIkz.Registry.Statistics;
using static OpenIkz.Tests.Registry.StatisticsDatabase;

namespace OpenIkz.Tests.Registry;

/// <summary>
/// The statistics of the constructed data set of <see cref="StatisticsDatabase"/> against values computed by hand (the
/// computation is written out in the comments). Runs on SQLite and on PostgreSQL.
///
/// The data set: NW has Kreis Alpha (Ahaus 10,000 klein, Bstadt 30,000 mittel, Cstadt 70,000 groß), Kreis Beta (Dorf 5,000
/// klein, Eheim 25,000 klein), Kreis Gamma (Gstadt 60,001 groß) and the kreisfreie Stadt Hstadt: 10 municipalities. RP has
/// Kreis Delta with Idorf. Entries: 1 IT umgesetzt ÖrV {Alpha, Ahaus, Bstadt}; 2 IT umgesetzt Zweckverband {Ahaus, Dorf};
/// 3 IT geplant Arbeitsgemeinschaft {Ahaus, Cstadt}; 4 Kultur umgesetzt informell {Cstadt, Gstadt}; 5 Archiv in Umsetzung
/// ÖrV {Beta, Dorf, Eheim}; 6 Personal rückabgewickelt (Personalmangel) privatrechtlich {Bstadt, Hstadt}; 7 Personal
/// rückabgewickelt (Ziele nicht erreicht) Kommunalunternehmen {Hstadt, Alpha}; 8 Soziales umgesetzt Zweckvereinbarung
/// {Delta, Idorf}; 9 Beschaffung umgesetzt ÖrV {Gstadt, Idorf}; 10 Finanzen, linked to a superseded agreement whose
/// amendment is active with {Eheim, Gstadt} (stored: geplant with Dorf) → umgesetzt; 11 Recht, linked to an agreement of
/// {Bstadt, Cstadt} terminated for Wirtschaftlichkeit (stored: umgesetzt) → rückabgewickelt.
/// </summary>
public abstract class RegistryStatisticsQueriesTests(StatisticsDatabase data)
{
    private Task<RegistryStatistics> ComputeAsync(string? state = null, string? district = null) =>
        new RegistryStatisticsQueries(data.Db, TimeProvider.System).ComputeAsync(new StatisticsFilter(state, district));

    private static TaskFieldFigures Field(RegistryStatistics s, string slug) => s.TaskFields.Single(t => t.TaskField == slug);
    private static CategoryCount Category(IEnumerable<CategoryCount> items, string slug) => items.Single(c => c.Slug == slug);
    private static LegalFormRow Segment(RegistryStatistics s, string segment) => s.LegalFormsBySegment.Rows.Single(r => r.Segment == segment);

    [SkippableFact]
    public async Task Nrw_CountsMunicipalitiesEntriesAndActivities()
    {
        var s = await ComputeAsync("NW");
        Assert.Equal(new StatisticsScope("NW", "Nordrhein-Westfalen", null, null), s.Scope);
        Assert.Equal(10, s.Municipalities);
        Assert.Equal(10, s.Entries);            // all but 8 (RP only)
        Assert.Equal(5, s.ImplementedEntries);  // 1, 2, 4, 9, 10
        // Activities: 1 → Alpha, Ahaus, Bstadt; 2 → Ahaus, Dorf; 4 → Cstadt, Gstadt; 9 → Gstadt (Idorf is RP); 10 → Eheim, Gstadt.
        Assert.Equal(10, s.Activities);
    }

    [SkippableFact]
    public async Task Segments_FollowTypeAndPopulation_WithTheActivitiesOfEach()
    {
        var s = await ComputeAsync("NW");
        var bySlug = s.Segments.ToDictionary(x => x.Segment);
        Assert.Equal([Segments.Small, Segments.Medium, Segments.Large, Segments.District, Segments.CountyFreeCity], s.Segments.Select(x => x.Segment));
        Assert.Equal(3, bySlug[Segments.Small].Municipalities);   // Ahaus, Dorf, Eheim (25,000)
        Assert.Equal(1, bySlug[Segments.Medium].Municipalities);  // Bstadt
        Assert.Equal(2, bySlug[Segments.Large].Municipalities);   // Cstadt, Gstadt (60,001)
        Assert.Equal(3, bySlug[Segments.District].Municipalities);
        Assert.Equal(1, bySlug[Segments.CountyFreeCity].Municipalities);
        // klein: Ahaus 2 + Dorf 1 + Eheim 1 = 4; mittel: Bstadt 1; groß: Cstadt 1 + Gstadt 3 = 4; Kreise: Alpha 1; kreisfrei 0.
        Assert.Equal(new CountShare(4, 40.0m), bySlug[Segments.Small].Activities);
        Assert.Equal(new CountShare(1, 10.0m), bySlug[Segments.Medium].Activities);
        Assert.Equal(new CountShare(4, 40.0m), bySlug[Segments.Large].Activities);
        Assert.Equal(new CountShare(1, 10.0m), bySlug[Segments.District].Activities);
        Assert.Equal(new CountShare(0, 0.0m), bySlug[Segments.CountyFreeCity].Activities);
    }

    [SkippableFact]
    public async Task TaskFields_ShareOfMunicipalities_WithLiveLinkedEntries()
    {
        var s = await ComputeAsync("NW");
        Assert.Equal(TaskFields.All.Select(t => t.Slug), s.TaskFields.Select(t => t.TaskField));
        // IT: implemented by Alpha, Ahaus, Bstadt (1) and Ahaus, Dorf (2) → 4 of 10; planned by Ahaus (again) and Cstadt (first time).
        var it = Field(s, "it-e-government");
        Assert.Equal(new TaskFieldMeasure(4, 40.0m, 2), it.Implemented);
        Assert.Equal(new TaskFieldPlanned(2, 20.0m, 1, FirstTime: 1, Repeat: 1), it.Planned);
        Assert.Equal(new TaskFieldMeasure(2, 20.0m, 1), Field(s, "kultur-wissenschaft").Implemented);
        // "in Umsetzung" counts as planned: Beta, Dorf, Eheim, none of them with an implemented archive.
        Assert.Equal(new TaskFieldPlanned(3, 30.0m, 1, 3, 0), Field(s, "archiv").Planned);
        Assert.Equal(new TaskFieldMeasure(0, 0.0m, 0), Field(s, "archiv").Implemented);
        // Rolled back is neither.
        Assert.Equal(new TaskFieldMeasure(0, 0.0m, 0), Field(s, "personal").Implemented);
        Assert.Equal(new TaskFieldPlanned(0, 0.0m, 0, 0, 0), Field(s, "personal").Planned);
        // Entry 9 has one NW partner.
        Assert.Equal(new TaskFieldMeasure(1, 10.0m, 1), Field(s, "beschaffung-vergabe").Implemented);
        // Entry 10 follows the amendment: implemented by Eheim and Gstadt, not planned, not Dorf.
        Assert.Equal(new TaskFieldMeasure(2, 20.0m, 1), Field(s, "finanzen").Implemented);
        Assert.Equal(new TaskFieldPlanned(0, 0.0m, 0, 0, 0), Field(s, "finanzen").Planned);
        // Entry 11 follows its terminated agreement: not implemented.
        Assert.Equal(new TaskFieldMeasure(0, 0.0m, 0), Field(s, "recht").Implemented);
        // Entry 8 lies in RP only.
        Assert.Equal(new TaskFieldMeasure(0, 0.0m, 0), Field(s, "soziales").Implemented);
    }

    [SkippableFact]
    public async Task LegalForms_BySegment_InGpaNrwColumns()
    {
        var s = await ComputeAsync("NW");
        Assert.Equal(LegalFormGroups.All.Select(g => g.Slug), s.LegalFormsBySegment.LegalForms.Select(g => g.Slug));
        static IEnumerable<long> Counts(LegalFormRow r) => r.Values.Select(v => v.Count);
        static IEnumerable<decimal?> Shares(LegalFormRow r) => r.Values.Select(v => v.Share);
        // klein: Ahaus in 1 (ÖrV) and 2 (Zweckverband), Dorf in 2, Eheim in 10 (ÖrV).
        Assert.Equal([2L, 0, 2, 0, 0, 0], Counts(Segment(s, Segments.Small)));
        Assert.Equal([50.0m, 0.0m, 50.0m, 0.0m, 0.0m, 0.0m], Shares(Segment(s, Segments.Small)));
        Assert.Equal([100.0m, 0.0m, 0.0m, 0.0m, 0.0m, 0.0m], Shares(Segment(s, Segments.Medium)));  // Bstadt in 1
        // groß: Cstadt and Gstadt in 4 (informell → Sonstiges), Gstadt in 9 and 10 (ÖrV).
        Assert.Equal([2L, 0, 0, 0, 0, 2], Counts(Segment(s, Segments.Large)));
        Assert.Equal(4, Segment(s, Segments.Large).Activities);
        Assert.Equal([100.0m, 0.0m, 0.0m, 0.0m, 0.0m, 0.0m], Shares(Segment(s, Segments.District)));
        // The kreisfreie Stadt has no implemented activity: no shares.
        Assert.Equal(0, Segment(s, Segments.CountyFreeCity).Activities);
        Assert.All(Segment(s, Segments.CountyFreeCity).Values, v => Assert.Null(v.Share));
        Assert.Equal([6L, 0, 2, 0, 0, 2], Counts(s.LegalFormsBySegment.Total));
        Assert.Equal([60.0m, 0.0m, 20.0m, 0.0m, 0.0m, 20.0m], Shares(s.LegalFormsBySegment.Total));
    }

    [SkippableFact]
    public async Task Districts_ActivitiesOfEachKreisAndItsMunicipalities_WithQuartiles()
    {
        var s = await ComputeAsync("NW");
        // Alpha: Alpha 1 + Ahaus 2 + Bstadt 1 + Cstadt 1 = 5; Beta: Dorf 1 + Eheim 1 = 2; Gamma: Gstadt 3. Hstadt is no Kreis.
        Assert.Equal([("Kreis Alpha", 5L), ("Kreis Beta", 2L), ("Kreis Gamma", 3L)], s.Districts.Items.Select(d => (d.Name, d.Activities)));
        // Sorted 2, 3, 5; type 7: h = 2·¼ = 0.5 → 2 + 0.5·(3 − 2) = 2.5; median 3; h = 1.5 → 3 + 0.5·(5 − 3) = 4.
        Assert.Equal(new FiveNumberSummary(2, 2.5m, 3, 4, 5, 3), s.Districts.Activities);
    }

    [SkippableFact]
    public async Task MunicipalityActivities_IncludeMunicipalitiesWithout()
    {
        var s = await ComputeAsync("NW");
        // Alpha 1, Ahaus 2, Bstadt 1, Cstadt 1, Beta 0, Dorf 1, Eheim 1, Gamma 0, Gstadt 3, Hstadt 0 → 0 0 0 1 1 1 1 1 2 3.
        // h = 9·¼ = 2.25 → 0 + 0.25·(1 − 0) = 0.25; h = 4.5 → 1; h = 6.75 → 1 + 0.75·(1 − 1) = 1.
        Assert.Equal(new FiveNumberSummary(0, 0.25m, 1, 1, 3, 10), s.MunicipalityActivities);
    }

    [SkippableFact]
    public async Task StatusesAndRollbacks_AreLive()
    {
        var s = await ComputeAsync("NW");
        Assert.Equal([("geplant", 1L, (decimal?)10.0m), ("in-umsetzung", 1L, 10.0m), ("umgesetzt", 5L, 50.0m), ("rueckabgewickelt", 3L, 30.0m)],
            s.Statuses.Select(c => (c.Slug, c.Count, c.Share)));
        Assert.Equal(3, s.Rollbacks.Entries);
        Assert.Equal(new CategoryCount("personalmangel", "Personalmangel", 1, 33.3m), Category(s.Rollbacks.Reasons, "personalmangel"));
        Assert.Equal(1, Category(s.Rollbacks.Reasons, "ziele-nicht-erreicht").Count);
        Assert.Equal(1, Category(s.Rollbacks.Reasons, "wirtschaftlichkeit").Count);  // from the terminated agreement
        Assert.Equal(0, Category(s.Rollbacks.Reasons, "qualitaet").Count);
        // Partners of a rolled-back entry: Bstadt, Hstadt (6), Alpha (7), Cstadt (11, with Bstadt) → 4 of 10.
        Assert.Equal(4, s.Rollbacks.Municipalities);
        Assert.Equal(40.0m, s.Rollbacks.MunicipalityShare);
    }

    [SkippableFact]
    public async Task Factors_CountEntriesPerCategory_OfTheEntriesNamingOne()
    {
        var s = await ComputeAsync("NW");
        Assert.Equal(2, s.Goals.Entries);  // 1 and 2; 8 (Fachkräftemangel) lies in RP
        Assert.Equal(new CategoryCount("wirtschaftlichkeit", "Wirtschaftlichkeit", 2, 100.0m), Category(s.Goals.Items, "wirtschaftlichkeit"));
        Assert.Equal(50.0m, Category(s.Goals.Items, "qualitaet").Share);
        Assert.Equal(0, Category(s.Goals.Items, "fachkraeftemangel").Count);
        Assert.Equal(Factors.Goals.Select(g => g.Slug), s.Goals.Items.Select(g => g.Slug));
        Assert.Equal(1, s.SuccessFactors.Entries);
        Assert.Equal(100.0m, Category(s.SuccessFactors.Items, "vertrauen").Share);
        Assert.Equal(2, s.Obstacles.Entries);  // 5 and 6
        Assert.Equal(["interne-widerstaende", "mangelnde-wirtschaftlichkeit", "organisatorische-probleme"],
            s.Obstacles.Items.Where(o => o.Count > 0).Select(o => o.Slug).Order(StringComparer.Ordinal));
        Assert.All(s.Obstacles.Items.Where(o => o.Count > 0), o => Assert.Equal(50.0m, o.Share));
    }

    [SkippableFact]
    public async Task DistrictFilter_ScopesToTheKreisAndItsMunicipalities()
    {
        var s = await ComputeAsync(district: Alpha);
        Assert.Equal(new StatisticsScope("NW", "Nordrhein-Westfalen", Alpha, "Kreis Alpha"), s.Scope);
        Assert.Equal(4, s.Municipalities);  // Alpha, Ahaus, Bstadt, Cstadt
        Assert.Equal(7, s.Entries);         // 1, 2, 3, 4, 6, 7, 11
        Assert.Equal(5, s.Activities);      // Alpha 1, Ahaus 2, Bstadt 1, Cstadt 1
        Assert.Equal(new TaskFieldMeasure(3, 75.0m, 2), Field(s, "it-e-government").Implemented);
        Assert.Equal([(Alpha, 5L)], s.Districts.Items.Select(d => (d.Ags, d.Activities)));
        Assert.Equal(new FiveNumberSummary(5, 5, 5, 5, 5, 1), s.Districts.Activities);
        Assert.Equal(3, s.Rollbacks.Entries);
        Assert.Equal(3, s.Rollbacks.Municipalities);  // Bstadt, Alpha, Cstadt
        // The same with the state named as well, in every spelling.
        foreach (var state in new[] { "NW", "nordrhein-westfalen", "05" })
            Assert.Equal(s with { ComputedAt = default }, (await ComputeAsync(state, Alpha)) with { ComputedAt = default }, new StatisticsComparer());
    }

    [SkippableFact]
    public async Task StateFilter_AndNoFilter()
    {
        var rp = await ComputeAsync("Rheinland-Pfalz");
        Assert.Equal(2, rp.Municipalities);
        Assert.Equal(2, rp.Entries);    // 8 and 9
        Assert.Equal(3, rp.Activities); // Delta 8, Idorf 8 and 9
        Assert.Equal([(Delta, 3L)], rp.Districts.Items.Select(d => (d.Ags, d.Activities)));

        var all = await ComputeAsync();
        Assert.Equal(new StatisticsScope(null, null, null, null), all.Scope);
        Assert.Equal(12, all.Municipalities);
        Assert.Equal(11, all.Entries);
        Assert.Equal(13, all.Activities);
        // Kreise 2, 3, 3, 5 (Beta, Delta, Gamma, Alpha): h = 0.75 → 2.75; h = 1.5 → 3; h = 2.25 → 3 + 0.25·2 = 3.5.
        Assert.Equal(new FiveNumberSummary(2, 2.75m, 3, 3.5m, 5, 4), all.Districts.Activities);
        Assert.Equal(3, all.Goals.Entries);
        Assert.Equal(1, Category(all.Goals.Items, "fachkraeftemangel").Count);
    }

    [SkippableTheory]
    [InlineData("XX", null, "state")]
    [InlineData("Bayernland", null, "state")]
    [InlineData(null, Hstadt, "district")]       // a kreisfreie Stadt is no Kreis
    [InlineData(null, Ahaus, "district")]        // a Gemeinde
    [InlineData(null, "99999", "district")]      // not in the directory
    [InlineData(null, "0590", "district")]
    [InlineData(null, "05901' OR '1'='1", "district")]
    [InlineData("RP", Alpha, "district")]        // a Kreis of another state
    public async Task BadFilters_AreRefused_NamingTheParameter(string? state, string? district, string field)
    {
        var e = await Assert.ThrowsAsync<ValidationException>(() => ComputeAsync(state, district));
        Assert.Equal([field], e.Errors.Keys);
        Assert.All(e.Errors[field], m => Assert.False(string.IsNullOrWhiteSpace(m)));
    }

    [SkippableFact]
    public async Task BothFiltersBad_NameBoth()
    {
        var e = await Assert.ThrowsAsync<ValidationException>(() => ComputeAsync("XX", "12"));
        Assert.Equal(["district", "state"], e.Errors.Keys.Order());
    }

    [SkippableFact]
    public async Task Reference_IsCarriedByEveryResponse()
    {
        Assert.Same(ReferenceBlock.Instance, (await ComputeAsync(district: Beta)).Reference);
    }

    /// <summary>Compares two results by their JSON (records holding lists compare lists by reference).</summary>
    private sealed class StatisticsComparer : IEqualityComparer<RegistryStatistics>
    {
        public bool Equals(RegistryStatistics? x, RegistryStatistics? y) => System.Text.Json.JsonSerializer.Serialize(x) == System.Text.Json.JsonSerializer.Serialize(y);
        public int GetHashCode(RegistryStatistics obj) => 0;
    }
}

public sealed class RegistryStatisticsQueriesTestsSqlite(SqliteStatisticsDatabase data) : RegistryStatisticsQueriesTests(data), IClassFixture<SqliteStatisticsDatabase>;
public sealed class RegistryStatisticsQueriesTestsPostgres(PostgresStatisticsDatabase data) : RegistryStatisticsQueriesTests(data), IClassFixture<PostgresStatisticsDatabase>;
