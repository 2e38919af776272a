using Dapper;
using OpenIkz.Infrastructure.Database;
using OpenIkz.Registry.Regions;

namespace OpenIkz.Demo;

/// <summary>
/// Demo: the Kooperationsraum Vorderpfalz of the four demo partners (seeds/002), worked on as the lebensWert model of
/// seeds/003 proposes. Two Handlungsfelder carry the expected effects of the Vorderpfalz final report (annex, table 1) and
/// are linked to the demo agreements and to the register entries that follow them; three carry the lebensWert fields
/// Wasser, Wohnen and Nahraum with the examples seeds/003 gives, as an illustration (the Werra-Meißner municipalities are
/// not in the demo directory). One step's review date lies two weeks in the past, so the start page of the members'
/// coordinators shows an overdue review. Statuses, review dates and notes are demo values. Idempotent: loads only into
/// an empty table, in one transaction. SOURCES.md says which text comes from which seed.
/// </summary>
public sealed class DemoRegions(Db db, TimeProvider clock)
{
    private const string Speyer = DemoBackoffice.Speyer, Frankenthal = DemoBackoffice.Frankenthal, Ludwigshafen = DemoBackoffice.Ludwigshafen,
        RheinPfalzKreis = DemoBackoffice.RheinPfalzKreis;

    public const string Name = "Kooperationsraum Vorderpfalz";

    private const string Description =
        "Die Städte Speyer, Frankenthal (Pfalz) und Ludwigshafen am Rhein und der sie räumlich umschließende Rhein-Pfalz-Kreis " +
        "stimmen ihre interkommunale Zusammenarbeit über die Handlungsfelder hinweg ab: die Aktivitäten stärker strategisch und langfristig " +
        "ausrichten, Handlungsfelder und Akteure miteinander in Bezug setzen und dauerhaft tragfähige Strukturen schaffen (Modell lebensWert). " +
        "Das IKZ-Modellprojekt Vorderpfalz stand unter der Leitung der Stadt Speyer; Speyer ist koordinierende Kommune.";

    private const string LebensWert = " Handlungsfeld des Projekts lebensWert (Werra-Meißner-Kreis, 2016–2019), hier als Beispiel übernommen; " +
        "Quelle: Kurzfassung „Formen interkommunaler Kooperation“ des Projekts lebensWert.";

    private sealed record Step(string Slug, string Status, int? ReviewInDays, string Note);

    private sealed record Field(string Name, string Description, (string Text, string? Status)[] Goals, (string Text, string? Status)[] Options,
        (string AgreementTitle, string LinkedBy)[] Agreements, Step[] Steps);

    private static readonly Field[] Fields =
    [
        new("Fachkräfte und Personaleinsatz",
            "Effizienzgewinne und Qualitätsverbesserungen, die die Partner von der Zusammenarbeit „der zweiten Generation“ bei Fachkräfterekrutierung und -einsatz erwarten. " +
            "Quelle: Abschlussbericht IKZ-Modellprojekt Vorderpfalz (2023), Anhang „Erwartete Wirkungen interkommunaler Zusammenarbeit“, Tabelle 1.",
            [("Sicherstellung der Aufgabenerfüllung in Zeiten des Fachkräftemangels", "in-arbeit"), ("Ausreichend besetzte Stellen, weil geringerer Stellenbedarf", "offen"),
             ("(Krankheits-)Ausfälle besser kompensieren", "in-arbeit"), ("Stärkung der Vertrauensprozesse insbesondere auf Arbeitsebene zwischen den Kommunen", "offen")],
            [("Verbesserte Vertretungsregelungen im größeren Personalkörper", "beschlossen"), ("Gemeinsame und kostengünstige Aus- und Weiterbildungen", "idee"),
             ("Systematischer Wissenstransfer zwischen den Kommunen", "in-pruefung"),
             ("Effizienterer Personaleinsatz, auch mit kleineren Arbeitszeitkontingenten während Eltern- oder Erziehungszeiten", "idee")],
            [("Zweckvereinbarung gemeinsame Elterngeldstelle Vorderpfalz", Speyer), ("Zweckvereinbarung Wohngeld Speyer – Ludwigshafen am Rhein", Speyer)],
            [new("analyse", LearningCycle.Done, null, "Erwartete Wirkungen im Abschlussbericht 2023 zusammengestellt."),
             new("ideen", LearningCycle.Done, null, "Gemeinsame Elterngeldstelle und Wohngeld-Delegation vereinbart."),
             new("planung", LearningCycle.InProgress, 45, "Offen: Personalmanagement und Eingruppierung nach der Neuorganisation des Back-Ends (Abschlussbericht, Kap. 5)."),
             new("umsetzung", LearningCycle.Open, null, ""), new("reflexion", LearningCycle.Open, null, "")]),
        new("Digitalisierung der Antragsverfahren",
            "Gemeinsame ortsunabhängige Bearbeitung der Massenverfahren Kfz-Zulassung, Elterngeld, Wohngeld und Grundsicherung im Alter und bei Erwerbsminderung. " +
            "Quelle: Abschlussbericht IKZ-Modellprojekt Vorderpfalz (2023), Kap. 1 und Anhang, Tabelle 1.",
            [("Beschleunigung der Antragsbearbeitung", "in-arbeit"), ("„Wegezeit“-Verkürzung für Bürger*innen und Unternehmen", "offen"), ("Ortsunabhängige Beratung", "offen")],
            [("Ortsunabhängige (Eingangs-)Bearbeitung", "beschlossen"), ("Gemeinsame Archive", "in-pruefung"), ("Gemeinsames Cybersicherheitskonzept", "in-pruefung"),
             ("Gemeinsame Software-Beschaffung und IT-Standardisierung", "idee")],
            [("Zweckvereinbarung gemeinsame Kfz-Zulassung Vorderpfalz", Ludwigshafen)],
            [new("analyse", LearningCycle.Done, null, "Leistungen mit medienbruchfreiem Online-Antrag erfasst."),
             new("ideen", LearningCycle.Done, null, "Pilotleistungen Kfz-Zulassung, Elterngeld, Wohngeld, Grundsicherung ausgewählt."),
             new("planung", LearningCycle.InProgress, -14, "Die Migration des VOIS-Kfz-Zulassungsprogramms verzögert sich (Abschlussbericht, Kap. 4): Zeitplan überprüfen."),
             new("umsetzung", LearningCycle.InProgress, 30, "Gemeinsame Kfz-Zulassung läuft."), new("reflexion", LearningCycle.Open, null, "")]),
        new("Wasser",
            "Dort mit dem Strategischen Forum Wasser: sektorenbezogene strategische Abstimmungen und Verbesserungen im operativen Geschäft." + LebensWert,
            [("Sektorenbezogene strategische Abstimmung in einem Strategischen Forum Wasser", "offen")],
            [("Engpässe bei Maschinen oder Personal durch eine verbesserte Abstimmung vermeiden", "idee"),
             ("Energetische Verwertung von Klärschlamm (Synergie zwischen Handlungsfeldern)", "idee")],
            [],
            [new("analyse", LearningCycle.InProgress, 60, "Bestehende Zusammenarbeit der Ver- und Entsorger zusammentragen.")]),
        new("Wohnen",
            "Vorausschauende Gestaltung von Wohnraum und Umfeld." + LebensWert,
            [("Gemeinsam über mittel- und langfristige Bedarfe am Wohnungsmarkt reflektieren", "offen")],
            [("Interkommunal abgestimmtes, interdisziplinäres Team von Sanierungs-, Energie- und Klimaschutzmanager*innen", "idee")],
            [],
            []),
        new("Nahraum",
            "Daseinsvorsorge vor Ort." + LebensWert,
            [("Nahversorgungseinrichtungen und medizinische Versorgung in der Region sichern", "offen")],
            [("Erfahrungen mit Förderprogrammen und Fördermechanismen austauschen", "idee"),
             ("Mittel- und langfristige Aktivitäten und den Ressourceneinsatz in der Region abstimmen und priorisieren", "idee")],
            [],
            []),
    ];

    public async Task LoadAsync(CancellationToken ct)
    {
        if (await db.QuerySingleAsync<long>("SELECT COUNT(*) FROM regions", ct: ct) > 0) return;
        var now = clock.GetUtcNow().UtcDateTime;
        var today = BerlinTime.Today(clock);
        await db.InTransactionAsync(async (c, tx) =>
        {
            var regionId = await RegionRows.InsertRegionAsync(c, tx, Name, Description, Speyer, now);
            foreach (var ags in new[] { Frankenthal, Ludwigshafen, RheinPfalzKreis })
                await RegionRows.InsertMemberAsync(c, tx, regionId, ags, RegionRoles.Member, now);
            for (var i = 0; i < Fields.Length; i++)
            {
                var f = Fields[i];
                var fieldId = await RegionRows.InsertFieldAsync(c, tx, regionId, f.Name, f.Description, i + 1, now);
                await RegionRows.ReplaceItemsAsync(c, tx, fieldId, FieldItems.Goal, f.Goals, now);
                await RegionRows.ReplaceItemsAsync(c, tx, fieldId, FieldItems.Option, f.Options, now);
                foreach (var (title, linkedBy) in f.Agreements)
                {
                    // Only an agreement the linking municipality is a member of, as the API demands; absent when the demo agreements were not loaded.
                    var agreementId = await c.ExecuteScalarAsync<long?>("""
                        SELECT a.id FROM agreements a JOIN agreement_members m ON m.agreement_id = a.id AND m.municipality_ags = @Ags WHERE a.title = @Title
                        """, new { Ags = linkedBy, Title = title }, tx);
                    if (agreementId is not { } id) continue;
                    await RegionRows.LinkAgreementAsync(c, tx, fieldId, id, linkedBy, now);
                    // The register entries that follow the same agreement (the Vorderpfalz pilots of the register, when it has them).
                    foreach (var entry in await c.QueryAsync<long>("SELECT id FROM registry_cooperations WHERE agreement_id = @Id", new { Id = id }, tx))
                        await RegionRows.LinkCooperationAsync(c, tx, fieldId, entry, linkedBy, now);
                }
                foreach (var s in f.Steps)
                    await RegionRows.SetStepAsync(c, tx, fieldId, s.Slug, s.Status, s.ReviewInDays is { } days ? today.AddDays(days) : null, s.Note, now);
            }
        }, ct);
    }
}
