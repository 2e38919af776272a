using Dapper;
using OpenIkz.Assessment.Assessments;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Demo;

/// <summary>
/// Demo: a stored potential analysis "Elterngeld gemeinsam in der Vorderpfalz" of the four Vorderpfalz partners (seeds/002
/// names Elterngeld as one of their four pilot services), created by the Koordination of Speyer through
/// <see cref="AssessmentService"/> like any other. Its figures are EXAMPLE FIGURES ("Beispielzahlen"), not figures of the
/// municipalities: cases per year = the inhabitants of the demo directory × an assumed 1.3 % Elterngeld applications per
/// inhabitant and year; 150 minutes per case and today's staff are assumed. Each source line says so; the result page
/// shows a "Beispielzahlen" notice (SOURCES.md). Idempotent: created only when no analysis of that title exists.
/// </summary>
public sealed class DemoAssessments(Db db, AssessmentService assessments)
{
    private static readonly System.Globalization.CultureInfo German = System.Globalization.CultureInfo.GetCultureInfo("de-DE");

    public const string Title = "Elterngeld gemeinsam in der Vorderpfalz (Beispielzahlen)";

    /// <summary>Assumed Elterngeld applications per inhabitant and year: an example value, not a published figure.</summary>
    public const double ApplicationsPerInhabitant = 0.013;

    /// <summary>Assumed minutes per case (Grundzeit): an example value.</summary>
    public const double MinutesPerCase = 150;

    /// <summary>The partners with their inhabitants as in municipalities.csv (SOURCES.md) and an assumed staff today in FTE.</summary>
    private static readonly (string Ags, int Inhabitants, double StaffFte)[] Partners =
    [
        (DemoBackoffice.Speyer, 51_203, 1.0),
        (DemoBackoffice.Frankenthal, 49_122, 1.0),
        (DemoBackoffice.Ludwigshafen, 172_253, 3.5),
        (DemoBackoffice.RheinPfalzKreis, 156_346, 3.0),
    ];

    public async Task LoadAsync(CancellationToken ct = default)
    {
        if (await db.QuerySingleAsync<int>("SELECT COUNT(*) FROM assessments WHERE title = @Title", new { Title }, ct) > 0) return;
        var user = await db.QuerySingleOrDefaultAsync<(long Id, string DisplayName)?>(
            "SELECT id, display_name FROM users WHERE username = @Username", new { Username = DemoData.LoginPrefix[DemoBackoffice.Speyer] + ".koordination" }, ct);
        if (user is not { } u) return;
        var actor = new Actor(u.Id, null, "speyer.koordination", u.DisplayName, DemoBackoffice.Speyer, false, [], IsCoordinator: true);

        var request = new AssessmentRequest(Title, Partners.Select(p => (string?)p.Ags).ToList(),
            Partners.Select(p => (LoadRequest?)new LoadRequest(p.Ags, "elterngeld", p.StaffFte, null,
                [new CaseGroupRequest("", Math.Round(p.Inhabitants * ApplicationsPerInhabitant), MinutesPerCase)])).ToList(),
            null, null, new TransactionCostsRequest(20_000, 5_000, 0, 2_000));
        var sources = new List<string>
        {
            string.Create(German, $"Beispielzahlen, keine Angaben der Kommunen: Fälle im Jahr = Einwohnerzahl des Kommunenverzeichnisses (Statistisches Landesamt Rheinland-Pfalz, siehe Quellen der Demodaten) × angenommene {ApplicationsPerInhabitant * 100:0.0} % Elterngeldanträge je Einwohner und Jahr."),
            $"Beispielzahlen: {MinutesPerCase:0} Minuten je Fall und das heutige Personal (Speyer und Frankenthal je 1,0, Ludwigshafen 3,5, Rhein-Pfalz-Kreis 3,0 VZÄ) sind angenommen.",
            "Beispielzahlen: einmalige Kosten 20.000 € fest + 5.000 € je Partner, jährliche Koordinationskosten 2.000 € je Partner sind angenommen; die übrigen Annahmen sind die dokumentierten Voreinstellungen.",
        };
        await assessments.CreateAsync(actor, request, sources, ct);
    }
}
