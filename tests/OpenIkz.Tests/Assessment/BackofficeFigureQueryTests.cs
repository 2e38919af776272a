using Dapper;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Assessment.Assessments;
using OpenIkz.Tests.Backoffice;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Assessment;

/// <summary>
/// The back office's last 12 months as figures of a potential analysis (<see cref="BackofficeFigureQuery"/>), on cases
/// written straight into the database with known timestamps: counts per case group, the claim-to-decision minutes capped
/// at one working day, the scaling of a shorter history to a year, and who may read whose figures.
/// </summary>
public abstract class BackofficeFigureQueryTests(OpenIkzApp fixture)
{
    public const string Halberstadt = "15085135", Thale = "15085330", Quedlinburg = "15085235";

    private OpenIkzApp app => fixture.Require();

    private static int _next;

    /// <summary>Inserts one case of <paramref name="owner"/>; decided (with the last claim <paramref name="claimed"/>) when <paramref name="decided"/> is given.</summary>
    public static async Task InsertCaseAsync(OpenIkzApp app, string owner, string service, string? group, DateTime received, DateTime? claimed = null, DateTime? decided = null)
    {
        var n = Interlocked.Increment(ref _next);
        await using var c = await app.Db.OpenAsync();
        await c.ExecuteAsync("""
            INSERT INTO cases (id, reference, owner_ags, service_slug, case_group, status, assigned_user_id, assigned_at, complete,
                applicant_given_name, applicant_family_name, applicant_birth_date, applicant_email, applicant_street, applicant_postal_code, applicant_city,
                applicant_search, form_json, received_at, due_date, decided_at, outcome, processor_ags, version)
            VALUES (@Id, @Reference, @Owner, @Service, @Group, @Status, NULL, @Claimed, @Complete, 'Erika', 'Kennzahl', @Birth, NULL, 'Hauptstraße 1', '38820', 'Halberstadt',
                'kennzahl erika', '{}', @Received, @Due, @Decided, @Outcome, @Processor, 1)
            """, new
        {
            Id = Guid.NewGuid().ToString(), Reference = $"TEST-FIG-{owner}-{n:D6}-{Guid.NewGuid():N}", Owner = owner, Service = service, Group = group,
            Status = decided is null ? (claimed is null ? "open" : "assigned") : "closed", Claimed = claimed, Complete = true, Birth = new DateOnly(1990, 1, 1),
            Received = received, Due = DateOnly.FromDateTime(received).AddDays(30), Decided = decided, Outcome = decided is null ? null : "granted",
            Processor = decided is null ? null : owner,
        });
    }

    private BackofficeFigureQuery Query => app.Services.GetRequiredService<BackofficeFigureQuery>();
    private DateTime Now => app.Clock.GetUtcNow().UtcDateTime;

    [SkippableFact]
    public async Task LastYear_CountsPerCaseGroup_AndMeansTheCappedClaimToDecisionMinutes()
    {
        var now = Now;
        // A year and more of history: the window is fully covered.
        await InsertCaseAsync(app, Halberstadt, "wohngeld", "mietzuschuss", now.AddDays(-400), now.AddDays(-400), now.AddDays(-399));
        await InsertCaseAsync(app, Halberstadt, "wohngeld", "mietzuschuss", now.AddDays(-100), now.AddDays(-90), now.AddDays(-90).AddMinutes(30));
        await InsertCaseAsync(app, Halberstadt, "wohngeld", "mietzuschuss", now.AddDays(-50), now.AddDays(-40), now.AddDays(-40).AddMinutes(60));
        await InsertCaseAsync(app, Halberstadt, "wohngeld", "mietzuschuss", now.AddDays(-20), now.AddDays(-15), now.AddDays(-12)); // 3 days: capped at 7.8 h = 468 min
        await InsertCaseAsync(app, Halberstadt, "wohngeld", "lastenzuschuss", now.AddDays(-10)); // open: counted, not measured
        await InsertCaseAsync(app, Halberstadt, "wohngeld", "lastenzuschuss", now.AddDays(-9), null, now.AddDays(-2)); // decided without a claim: not measured
        await InsertCaseAsync(app, Halberstadt, "elterngeld", null, now.AddDays(-5)); // another service
        await InsertCaseAsync(app, Quedlinburg, "wohngeld", "mietzuschuss", now.AddDays(-5)); // another municipality

        var f = await Query.LastYearAsync(Halberstadt, "wohngeld");
        Assert.NotNull(f);
        Assert.Equal(365, f.CoveredDays, 6);
        var miete = f.For("mietzuschuss");
        Assert.Equal(3, miete.Received);
        Assert.Equal(3, miete.CasesPerYear, 9);
        Assert.Equal(3, miete.Measured);
        Assert.Equal((30 + 60 + 468) / 3.0, miete.MeanMinutesPerCase!.Value, 3);
        var lasten = f.For("lastenzuschuss");
        Assert.Equal(2, lasten.Received);
        Assert.Equal(0, lasten.Measured);
        Assert.Null(lasten.MeanMinutesPerCase);
        Assert.Equal(5, f.Total.Received);
        Assert.Equal((30 + 60 + 468) / 3.0, f.Total.MeanMinutesPerCase!.Value, 3);
        Assert.Equal(0, f.For("gibt-es-nicht").Received);

        // A longer working day caps later.
        var longDay = await Query.LastYearAsync(Halberstadt, "wohngeld", hoursPerDay: 10);
        Assert.Equal((30 + 60 + 600) / 3.0, longDay!.For("mietzuschuss").MeanMinutesPerCase!.Value, 3);

        Assert.Null(await Query.LastYearAsync(Halberstadt, "grundsicherung"));
        Assert.Contains("3 eingegangene Vorgänge", f.Describe("Halberstadt", "Wohngeld – Mietzuschuss", "mietzuschuss"), StringComparison.Ordinal);
        Assert.Contains("186,0 Minuten je Fall", f.Describe("Halberstadt", "Wohngeld – Mietzuschuss", "mietzuschuss"), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task AShorterHistory_IsScaledToAYear_AndNamedSo()
    {
        var now = Now;
        await InsertCaseAsync(app, Thale, "elterngeld", null, now.AddDays(-73));
        await InsertCaseAsync(app, Thale, "elterngeld", null, now.AddDays(-30), now.AddDays(-29), now.AddDays(-29).AddMinutes(90));
        var f = await Query.LastYearAsync(Thale, "elterngeld");
        Assert.NotNull(f);
        Assert.Equal(73, f.CoveredDays, 3);
        Assert.Equal(2 * 365 / 73.0, f.Total.CasesPerYear, 3);
        Assert.Equal(90, f.Total.MeanMinutesPerCase!.Value, 3);
        Assert.Contains("hochgerechnet von 73 Tagen", f.Describe("Thale", "Elterngeld", ""), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task OwnFigures_AndThoseOfAgreementPartners_AreReadable_OthersNot()
    {
        static Actor Coordinator(string ags) => new(1, null, "test", "Test", ags, false, [], IsCoordinator: true);
        Assert.True(await Query.MayReadAsync(Coordinator(Halberstadt), Halberstadt));
        Assert.False(await Query.MayReadAsync(Coordinator(Halberstadt), Quedlinburg));
        // Demo agreements: Frankenthal and Ludwigshafen share the Kfz-Zulassung pool; Halberstadt shares nothing with them.
        Assert.True(await Query.MayReadAsync(Coordinator(Backoffice.BackofficeFixture.Frankenthal), Backoffice.BackofficeFixture.Ludwigshafen));
        Assert.False(await Query.MayReadAsync(Coordinator(Halberstadt), Backoffice.BackofficeFixture.Frankenthal));
        // Only the Koordination of a person.
        Assert.False(await Query.MayReadAsync(new Actor(1, null, "t", "T", Halberstadt, true, []), Halberstadt));
    }

    [SkippableFact]
    public async Task PartnerFigures_NeedAnAgreementInForceToday_NotOneThatEndedOrHasNotStarted()
    {
        static Actor Coordinator(string ags) => new(1, null, "test", "Test", ags, false, [], IsCoordinator: true);
        const string thale = Backoffice.Agreements.Thale, wernigerode = Backoffice.Agreements.Wernigerode;
        var today = OpenIkz.Common.BerlinTime.Today(TimeProvider.System);
        (string, bool, bool)[] both = [(thale, true, true), (wernigerode, true, true)];
        await app.CreateAgreementAsync(["wohngeld"], both, status: "terminated", from: new DateOnly(2024, 1, 1), to: today.AddDays(-1));
        await app.CreateAgreementAsync(["wohngeld"], both, status: "active", from: new DateOnly(2024, 1, 1), to: today.AddDays(-1));
        await app.CreateAgreementAsync(["wohngeld"], both, status: "approved", from: today.AddDays(30));
        await app.CreateAgreementAsync(["wohngeld"], both, status: "draft", from: new DateOnly(2024, 1, 1));
        Assert.False(await Query.MayReadAsync(Coordinator(thale), wernigerode));
        // Terminated but not yet ended: still in force, as for the cases themselves.
        await app.CreateAgreementAsync(["elterngeld"], both, status: "terminated", from: new DateOnly(2024, 1, 1), to: today);
        Assert.True(await Query.MayReadAsync(Coordinator(thale), wernigerode));
        Assert.True(await Query.MayReadAsync(Coordinator(wernigerode), thale));
    }
}

public sealed class BackofficeFigureQueryTestsSqlite(SqliteApp app) : BackofficeFigureQueryTests(app), IClassFixture<SqliteApp>;
public sealed class BackofficeFigureQueryTestsPostgres(PostgresApp app) : BackofficeFigureQueryTests(app), IClassFixture<PostgresApp>;
