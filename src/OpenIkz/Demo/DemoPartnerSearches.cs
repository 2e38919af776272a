using Dapper;
using OpenIkz.Infrastructure.Database;
using OpenIkz.Registry;
using OpenIkz.Registry.PartnerSearches;

namespace OpenIkz.Demo;

/// <summary>
/// Demo: open partner searches of demo municipalities, each an illustration grounded in what a seed report says these
/// municipalities or their peers need (docs/REGISTRY.md lists the sources). They are not real requests of these
/// municipalities. Each runs 60 to 180 days from the first start. Idempotent: loads only into an empty table.
/// </summary>
public sealed class DemoPartnerSearches(Db db, TimeProvider clock)
{
    /// <summary>(municipality, task field, title, description, days open, source).</summary>
    internal static readonly IReadOnlyList<(string Ags, string TaskField, string Title, string Description, int Days, string Source)> Searches =
    [
        ("15085110", "archiv", "Gemeinsame Betreuung des Verwaltungsarchivs",
            "Unser Verwaltungsarchiv wird mit wenigen Stellenanteilen neben anderen Aufgaben betreut. Für Bewertung, Erschließung und die Übernahme " +
            "elektronischer Akten fehlt archivfachliches Wissen. Wir suchen eine Kommune oder den Landkreis, um das Archiv gemeinsam zu betreuen, " +
            "etwa über eine Zweckvereinbarung mit einer gemeinsamen Fachkraft.", 120,
            "seeds/004, 1.2.4: 47 Kommunen und Kreise planen IKZ im Archivwesen, 68 % davon kleine Kommunen, wegen des Spezialwissens und „atomisierter“ Stellenanteile"),
        ("15085040", "archiv", "Archivpflege und digitale Langzeitarchivierung gemeinsam organisieren",
            "Die Archivpflege hängt an einer Teilzeitstelle; Vertretung gibt es nicht. Wir möchten mit Nachbarkommunen eine gemeinsame Archivpflege " +
            "aufbauen und die digitale Langzeitarchivierung gemeinsam beschaffen.", 150,
            "seeds/004, 1.2.4 (Archiv ist neben IT das häufigste Feld geplanter IKZ)"),
        ("15085228", "beschaffung-vergabe", "Partner für eine gemeinsame Vergabestelle",
            "Vergaben nach neuem Vergaberecht binden bei uns viel Zeit, und die Fachkenntnis liegt bei einer Person. Wir suchen Kommunen im Landkreis, " +
            "die eine gemeinsame Vergabestelle aufbauen oder eine bestehende erweitern wollen; die unterschiedlichen IT-Systeme sollen dabei kein Hindernis sein.", 180,
            "seeds/000, 3.5.3: erhebliches Potenzial im Bereich Beschaffung; die Erweiterung der Zentralen Vergabestelle ist bisher gescheitert, u. a. an inkompatibler IT"),
        ("15085185", "personal", "Gemeinsame Ausbildung von Verwaltungsfachangestellten",
            "Wir bilden zu wenige Verwaltungsfachangestellte aus, um alle Stationen im eigenen Haus anzubieten. Gesucht sind Partner für einen " +
            "gemeinsamen Ausbildungsverbund mit abgestimmten Stationen und gemeinsamer Auswahl.", 90,
            "seeds/000, 3.5.3: Ausbildung und Personalentwicklung als mögliche Felder für IKZ im Landkreis Harz"),
        ("07318000", "sicherheit-ordnung", "Bußgeldstelle gemeinsam betreiben",
            "Nach den Erfahrungen der Vorderpfalz-Piloten möchten wir die Bearbeitung von Ordnungswidrigkeiten ortsunabhängig mit Partnern bündeln: " +
            "gemeinsames Fachverfahren, gemeinsame Vertretung, Zuständigkeit bleibt bei jeder Kommune.", 120,
            "seeds/002, 8: Bußgeldstellen unter den weiteren erfolgversprechenden IKZ-Bereichen, die die Kommunen der Vorderpfalz ausloteten"),
        ("07311000", "feuerwehr-rettungsdienst", "Feuerwehrbeschaffungen koordinieren",
            "Fahrzeuge und Ausrüstung der Feuerwehr sollen gemeinsam ausgeschrieben werden, um bessere Preise und einheitliche Technik zu erreichen. " +
            "Gesucht sind Städte und der Landkreis in der Vorderpfalz.", 60,
            "seeds/002, 8: Koordinierung der Feuerwehrbeschaffungen als weiteres Feld der Vorderpfalz-Kommunen"),
    ];

    public async Task LoadAsync(CancellationToken ct)
    {
        if (await db.QuerySingleAsync<long>("SELECT COUNT(*) FROM partner_searches", ct: ct) > 0) return;
        var now = clock.GetUtcNow().UtcDateTime;
        var today = BerlinTime.Today(clock);
        await db.InTransactionAsync(async (c, tx) =>
        {
            foreach (var s in Searches)
            {
                // The demo coordinator of the municipality posts it (shown nowhere; kept as for searches made in the app).
                var user = await c.ExecuteScalarAsync<long?>("""
                    SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'Koordination' WHERE u.municipality_ags = @Ags ORDER BY u.id LIMIT 1
                    """, new { s.Ags }, tx);
                var terms = PartnerSearchRules.Validate(new PartnerSearchInput(s.TaskField, s.Title, s.Description, today.AddDays(s.Days)), today);
                await PartnerSearchService.InsertAsync(c, tx, s.Ags, user, terms, now);
            }
        }, ct);
    }
}
