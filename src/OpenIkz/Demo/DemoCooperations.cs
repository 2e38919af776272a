using Dapper;
using OpenIkz.Infrastructure.Database;
using OpenIkz.Registry;
using OpenIkz.Registry.Cooperations;

namespace OpenIkz.Demo;

/// <summary>
/// Demo: the register entries of the seeds, each with its source: the good-practice examples of seeds/004 1.3.3 that name
/// their partners, the cooperations of seeds/000 3.5.2, the fields of Herxheim and Offenbach an der Queich (seeds/001), and
/// the Vorderpfalz pilots (seeds/002) linked to the demo agreements. Only what the sources state: no figures (none is
/// published), no contact mailbox, a legal form only where the source names it ("Noch offen / Sonstiges" otherwise), goals
/// and success factors only where the text says them. Every entry goes through the register's own validation.
/// Idempotent: loads only into an empty register.
/// </summary>
public sealed class DemoCooperations(Db db, CooperationService cooperations, TimeProvider clock)
{
    private const string Lead = PartnerRoles.Lead, Partner = PartnerRoles.Partner;
    private const string Nrw = "gkg-nrw", Lsa = "gkg-lsa", Rp = "komzg-rp";
    private const string Orv = "oeffentlich-rechtliche-vereinbarung", Zweckverband = "zweckverband", Open = RegistryLegalForms.OpenOrOther;

    private const string Gpa = "gpaNRW: Interkommunale Zusammenarbeit (IKZ) in Nordrhein-Westfalen. Überörtliche Prüfung der kreisangehörigen Kommunen und Gemeindeverbände von 2019 bis 2025";
    private const string Harz = "Fallstudie „Interkommunale Zusammenarbeit im Landkreis Harz“ (2023)";
    private const string ModelRp = "Rheinland-Pfalz: Erfolgsfaktoren von IKZ – Erfahrungen der IKZ-Modellvorhaben, Abschnitt IV";
    private const string Vorderpfalz = "Abschlussbericht IKZ-Modellprojekt Vorderpfalz (Speyer, Frankenthal (Pfalz), Ludwigshafen am Rhein, Rhein-Pfalz-Kreis), 2023";

    private static string GpaSection(string section, string district) => $"{Gpa}, Abschnitt {section} „Gelungene Praxisbeispiele Regierungsbezirk {district}“";

    internal sealed record Seed(string Title, string Description, string TaskField, string Law, string Form, (string Ags, string Role)[] Partners, int? Since, string Status,
        string[] Sources, string[]? Goals = null, string[]? SuccessFactors = null, string? AgreementTitlePrefix = null);

    internal static IReadOnlyList<Seed> Seeds =>
    [
        // ---- seeds/004, 1.3.3.1 Regierungsbezirk Arnsberg
        new("Smart Cities Südwestfalen (Modellprojekt „Smart Cities-5 für Südwestfalen“)",
            "Modellprojekt, dem die große kreisangehörige Stadt Arnsberg, die kleine kreisangehörige Stadt Bad Berleburg und die mittleren kreisangehörigen Städte Menden, Olpe und Soest angeschlossen sind. " +
            "Digitale Behördengänge, automatische Parkplatzanzeigen, Stadtführungen mit VR- und AR-Brillen oder eine offene, regionale Datenplattform sollen in der Region umgesetzt werden. " +
            "Weitere Kommunen der Region können sich der „Smart Cities Rahmenstrategie für Südwestfalen“ anschließen. Die Quelle nennt keine Rechtsform.",
            "it-e-government", Nrw, Open, [("05958004", Partner), ("05970004", Partner), ("05962040", Partner), ("05966024", Partner), ("05974040", Partner)], null, RegistryStatus.InProgress,
            [GpaSection("1.3.3.1", "Arnsberg")]),
        // ---- 1.3.3.2 Regierungsbezirk Detmold
        new("Interkommunale Rechtsagentur Lippe",
            "Der Kreis Lippe und die Kommunen Augustdorf, Barntrup, Blomberg, Dörentrup, Extertal, Horn-Bad Meinberg, Kalletal, Lage, Oerlinghausen und Schlangen arbeiten seit 2012 im Rechtswesen zusammen. " +
            "Mit einer öffentlich-rechtlichen Vereinbarung haben sie die interkommunale Rechtsagentur Lippe gegründet, die die Kommunen kostengünstig bei rechtlichen Fragestellungen unterstützen soll.",
            "recht", Nrw, Orv,
            [("05766", Partner), ("05766004", Partner), ("05766012", Partner), ("05766016", Partner), ("05766024", Partner), ("05766028", Partner), ("05766032", Partner),
             ("05766036", Partner), ("05766040", Partner), ("05766056", Partner), ("05766064", Partner)],
            2012, RegistryStatus.Implemented, [GpaSection("1.3.3.2", "Detmold")], Goals: ["wirtschaftlichkeit"]),
        new("Kommunaler Ordnungsdienst Detmold-Lippe",
            "Die große kreisangehörige Stadt Detmold, die mittlere kreisangehörige Stadt Lage sowie die kleinen kreisangehörigen Kommunen Stadt Horn-Bad Meinberg und Gemeinde Schlangen haben seit 2023 " +
            "per öffentlich-rechtlicher Vereinbarung einen gemeinsamen kommunalen Ordnungsdienst eingerichtet. Ziel ist, die Präsenz und Handlungsfähigkeit der Kommunen als örtliche Ordnungsbehörden zu verbessern. " +
            "Die Aufgabe nimmt die Stadt Detmold wahr.",
            "sicherheit-ordnung", Nrw, Orv, [("05766020", Lead), ("05766040", Partner), ("05766032", Partner), ("05766064", Partner)], 2023, RegistryStatus.Implemented,
            [GpaSection("1.3.3.2", "Detmold")], Goals: ["sicherung-aufgabenwahrnehmung"]),
        new("Vergabe öffentlicher Aufträge durch den Kreis Minden-Lübbecke",
            "Mit einer öffentlich-rechtlichen Vereinbarung haben die Kommunen Bad Oeynhausen, Lübbecke, Minden, Preußisch Oldendorf, Porta Westfalica, Rahden, Hille, Hüllhorst und Stemwede " +
            "die Durchführung von Aufgaben zur Vergabe öffentlicher Aufträge auf den Kreis Minden-Lübbecke übertragen; der Kreis stellt dafür Personal und Sachmittel. " +
            "Ziele: Bündelung fachlicher Kompetenzen, höhere Rechtssicherheit in den Verfahren, Bieterneutralität sowie eine effiziente und nachhaltige Gestaltung.",
            "beschaffung-vergabe", Nrw, Orv,
            [("05770", Lead), ("05770004", Partner), ("05770020", Partner), ("05770024", Partner), ("05770036", Partner), ("05770032", Partner), ("05770040", Partner),
             ("05770012", Partner), ("05770016", Partner), ("05770044", Partner)],
            null, RegistryStatus.Implemented, [GpaSection("1.3.3.2", "Detmold")], Goals: ["qualitaet", "wirtschaftlichkeit"]),
        // ---- 1.3.3.3 Regierungsbezirk Düsseldorf
        new("Zahlungsabwicklung und Forderungsvollstreckung für Kerken und Rheurdt durch die Gemeinde Issum",
            "Die kleinen kreisangehörigen Kommunen Issum, Kerken und Rheurdt haben seit 2016 eine öffentlich-rechtliche Vereinbarung über die Wahrnehmung der Aufgaben der Finanzbuchhaltung " +
            "im Bereich der Zahlungsabwicklung und Forderungsvollstreckung der Gemeinden Kerken und Rheurdt (Buchhaltung Kerken/Rheurdt) durch die Gemeinde Issum (Finanzbuchhaltung Issum).",
            "finanzen", Nrw, Orv, [("05154020", Lead), ("05154028", Partner), ("05154048", Partner)], 2016, RegistryStatus.Implemented, [GpaSection("1.3.3.3", "Düsseldorf")]),
        new("Gemeinsame Adoptionsvermittlungsstelle im Kreis Kleve",
            "Auf Grundlage einer öffentlich-rechtlichen Vereinbarung hat der Kreis Kleve im Kreisjugendamt eine gemeinsame Adoptionsvermittlungsstelle eingerichtet. Sie nimmt die Adoptionsvermittlung " +
            "auch für die Jugendämter der mittleren kreisangehörigen Städte Emmerich am Rhein, Geldern, Goch, Kevelaer und Kleve wahr; damit ist das Kreisjugendamt für die Adoptionsvermittlung im ganzen Kreis zuständig.",
            "jugend-familie", Nrw, Orv, [("05154", Lead), ("05154008", Partner), ("05154012", Partner), ("05154016", Partner), ("05154032", Partner), ("05154036", Partner)],
            null, RegistryStatus.Implemented, [GpaSection("1.3.3.3", "Düsseldorf")]),
        new("Digitaler Zwilling Rhein-Kreis Neuss",
            "Der Rhein-Kreis Neuss hat 2022 mit seinen acht kreisangehörigen Kommunen als erster Kreis in NRW das Digitalprojekt „Digitaler Zwilling“ beschlossen. Spezialfahrzeuge erstellen hochauflösende " +
            "360-Grad-Panoramabilder. Der digitale Zwilling soll Planungsvorhaben und Simulationsmodelle in Mobilität, Verkehr, Bau, Klima, Umwelt und Wirtschaft sichtbar machen und als Basis für " +
            "Smart-City-Anwendungen dienen. Die Quelle nennt keine Rechtsform.",
            "it-e-government", Nrw, Open,
            [("05162", Lead), ("05162004", Partner), ("05162008", Partner), ("05162012", Partner), ("05162016", Partner), ("05162020", Partner), ("05162022", Partner),
             ("05162024", Partner), ("05162028", Partner)],
            2022, RegistryStatus.InProgress, [GpaSection("1.3.3.3", "Düsseldorf")]),
        new("Gemeinsames Archiv im Kreisarchiv Viersen",
            "Der Kreis Viersen betreut in seinem Kreisarchiv auch das Archivgut seiner kreisangehörigen Kommunen Brüggen, Grefrath, Kempen, Nettetal, Niederkrüchten, Schwalmtal, Tönisvorst und Viersen. " +
            "Die Quelle nennt keine Rechtsform.",
            "archiv", Nrw, Open,
            [("05166", Lead), ("05166004", Partner), ("05166008", Partner), ("05166012", Partner), ("05166016", Partner), ("05166020", Partner), ("05166024", Partner),
             ("05166028", Partner), ("05166032", Partner)],
            null, RegistryStatus.Implemented, [GpaSection("1.3.3.3", "Düsseldorf")]),
        // ---- 1.3.3.4 Regierungsbezirk Köln
        new("Hochwasserschutzkooperation Erft (hwsErft)",
            "Nach der Flutkatastrophe 2021 hat sich der Erftverband mit Kreisen und Kommunen im Erft-Einzugsgebiet zur interkommunalen Hochwasserschutzkooperation Erft zusammengeschlossen, " +
            "um den Hochwasserschutz in der Region gemeinsam zu stärken. Ziel ist die Reduzierung des Hochwasserrisikos durch gemeinsam abgestimmte kommunale Hochwasserschutzkonzepte. " +
            "Der Erftverband ist als Wasserverband keine Kommune und steht deshalb nicht in der Partnerliste. Die Quelle nennt weder Rechtsform noch Jahr des Beginns.",
            "bauen-planen-umwelt", Nrw, Open,
            [("05362", Partner), ("05366", Partner), ("05382", Partner), ("05366004", Partner), ("05362008", Partner), ("05366016", Partner), ("05358052", Partner),
             ("05366028", Partner), ("05366032", Partner), ("05382032", Partner), ("05358060", Partner), ("05362020", Partner), ("05382064", Partner), ("05358012", Partner),
             ("05358044", Partner), ("05366040", Partner), ("05366044", Partner), ("05362032", Partner), ("05382048", Partner)],
            null, RegistryStatus.InProgress, [GpaSection("1.3.3.4", "Köln")]),
        new("Gemeinsamer IT-Schulsupport Bad Münstereifel, Kall und Weilerswist",
            "Im Kreis Euskirchen haben sich die kleinen kreisangehörigen Kommunen Bad Münstereifel, Kall und Weilerswist, unterstützt von der kdvz Rhein-Erft-Rur, zum gemeinsamen IT-Schulsupport zusammengeschlossen. " +
            "Die Quelle nennt keine Rechtsform.",
            "it-e-government", Nrw, Open, [("05366004", Partner), ("05366024", Partner), ("05366040", Partner)], null, RegistryStatus.Implemented, [GpaSection("1.3.3.4", "Köln")]),
        new("Gemeinsame Rufbereitschaft der Eifelkommunen",
            "Die kleinen kreisangehörigen Eifelkommunen Blankenheim, Kall, Schleiden, Hellenthal und Nettersheim haben per öffentlich-rechtlicher Vereinbarung eine gemeinsame Rufbereitschaft eingerichtet, " +
            "die die Erreichbarkeit und Handlungsfähigkeit als örtliche Ordnungsbehörden gewährleisten soll: Unterbringung psychisch Kranker bei Gefahr im Verzug (§ 14 PsychKG), Unterbringung obdachloser Personen, " +
            "Kampfmittelbeseitigung, Unterbringung von Fundtieren und unaufschiebbare Aufgaben der öffentlichen Sicherheit und Ordnung. 2022 mit dem „Landespreis für innovative interkommunale Zusammenarbeit“ " +
            "(Kategorie „Kommunale Pflichtaufgaben und Innere Verwaltung“) ausgezeichnet.",
            "sicherheit-ordnung", Nrw, Orv, [("05366008", Partner), ("05366024", Partner), ("05366036", Partner), ("05366020", Partner), ("05366032", Partner)],
            null, RegistryStatus.Implemented, [GpaSection("1.3.3.4", "Köln")], Goals: ["sicherung-aufgabenwahrnehmung"]),
        // ---- 1.3.3.5 Regierungsbezirk Münster
        new("Adoptionsvermittlung des Kreises Borken für Ahaus, Borken und Gronau",
            "Der Kreis Borken übernimmt für die Städte Ahaus, Borken und Gronau die Aufgaben der Adoptionsvermittlung. Die gemeinsame Vermittlung gibt Adoptiveltern einen größeren Pool " +
            "potenzieller Adoptionskinder und erhöht die Chance, dass ein passendes Kind für eine Adoptionsfamilie gefunden wird, und umgekehrt. Die Quelle nennt keine Rechtsform.",
            "jugend-familie", Nrw, Open, [("05554", Lead), ("05554004", Partner), ("05554012", Partner), ("05554020", Partner)], null, RegistryStatus.Implemented,
            [GpaSection("1.3.3.5", "Münster")], Goals: ["qualitaet"]),
        new("Personalentwicklungszirkel und Interkommunaler Nachwuchsförderkreis Kreis Steinfurt und Stadt Rheine",
            "Der Kreis Steinfurt und die Stadt Rheine arbeiten gemeinsam an der Konzeption und Umsetzung von Personalentwicklungsprogrammen, insbesondere zur Nachwuchsförderung. Die Quelle nennt keine Rechtsform.",
            "personal", Nrw, Open, [("05566", Partner), ("05566076", Partner)], null, RegistryStatus.Implemented, [GpaSection("1.3.3.5", "Münster")]),
        new("Ausgabe elektronischer Aufenthaltstitel und Reisedokumente in Everswinkel",
            "2021 haben die Gemeinde Everswinkel und der Kreis Warendorf eine öffentlich-rechtliche Vereinbarung zur Ausgabe elektronischer Aufenthaltstitel und Reisedokumente getroffen. " +
            "Der Kreis sendet die Dokumente nach Erhalt von der Bundesdruckerei und eigener elektronischer Erfassung an die Gemeinde; das Bürgerbüro Everswinkel händigt sie den gemeldeten " +
            "Ausländerinnen und Ausländern direkt vor Ort aus.",
            "buergerdienste", Nrw, Orv, [("05570024", Partner), ("05570", Partner)], 2021, RegistryStatus.Implemented, [GpaSection("1.3.3.5", "Münster")]),
        new("Entsorgung von Bio- und Krankenhausabfällen Kreis Borken und Kreis Recklinghausen",
            "Zwischen den Kreisen Borken und Recklinghausen besteht eine öffentlich-rechtliche Vereinbarung über die Entsorgung von Bio- und Krankenhausabfällen.",
            "ver-entsorgung", Nrw, Orv, [("05554", Partner), ("05562", Partner)], null, RegistryStatus.Implemented, [GpaSection("1.3.3.5", "Münster")]),

        // ---- seeds/000, 3.5.2 Stand der IKZ im Landkreis Harz
        new("Zweckverband Wasserversorgung und Abwasserentsorgung Ostharz (ZVO)",
            "Einer der breiter bekannten Zweckverbände im Landkreis Harz, für den Osten des Kreisgebiets (Sitz Quedlinburg). Die Fallstudie nennt die Mitglieder nicht einzeln; " +
            "eingetragen sind Quedlinburg und Harzgerode, deren Netze der Verband betreibt (Verbandsseite). Weitere Mitglieder sind noch nicht erfasst.",
            "ver-entsorgung", Lsa, Zweckverband, [("15085235", Partner), ("15085145", Partner)], null, RegistryStatus.Implemented,
            [$"{Harz}, Abschnitt 3.5.2 „Stand der IKZ im Landkreis Harz“", "Zweckverband Ostharz, https://www.zweckverband-ostharz.de/ (Info Point 2015: Gebühren in Quedlinburg, Abwassernetz Harzgerode)"]),
        new("Wasser- und Abwasserverband Holtemme-Bode (WAHB)",
            "Einer der breiter bekannten Zweckverbände im Landkreis Harz, für den Westen des Kreisgebiets. Zum 1. Januar 2011 aus der Fusion des Abwasserverbands Holtemme und des " +
            "Wasser- und Abwasserzweckverbands Oberharz entstanden. Die Fallstudie nennt die Mitglieder nicht einzeln; eingetragen sind Wernigerode und Oberharz am Brocken, " +
            "deren Räte die Fusion beschlossen haben. Weitere Mitglieder sind noch nicht erfasst.",
            "ver-entsorgung", Lsa, Zweckverband, [("15085370", Partner), ("15085228", Partner)], 2011, RegistryStatus.Implemented,
            [$"{Harz}, Abschnitt 3.5.2 „Stand der IKZ im Landkreis Harz“", "Volksstimme, 04.11.2010: „Brocken und Forelle stehen für Ehe von Holtemme und Oberharz“ (Fusion zum 1. Januar 2011)"]),
        new("Zentrale Vergabestelle Halberstadt und Ilsenburg",
            "Mit der Zentralen Vergabestelle besteht eine IKZ zwischen den Städten Halberstadt und Ilsenburg (Harz) und teilweise weiteren Partnern. Eine Erweiterung ist bisher gescheitert; " +
            "in den Interviews wurde u. a. die fehlende Kompatibilität von IT-Systemen genannt. Die Quelle nennt keine Rechtsform.",
            "beschaffung-vergabe", Lsa, Open, [("15085135", Partner), ("15085190", Partner)], null, RegistryStatus.Implemented,
            [$"{Harz}, Abschnitte 3.5.2 und 3.5.3"]),
        new("Kommunale IT-Union eG (KITU)",
            "Am 22. Dezember 2009 von der Landeshauptstadt Magdeburg, deren IT-Dienstleister KID Magdeburg GmbH und der Gemeinde Barleben als Genossenschaft gegründet, um Kommunen in Sachsen-Anhalt " +
            "im IT-Bereich zu unterstützen (IT-Betrieb, IT-Beschaffung, Hosting von Fachverfahren, Anwendungsbetreuung). Mittlerweile sind 105 Kommunen, Städte, Landkreise, kommunale Verbände, " +
            "Hochschulen, das Land Sachsen-Anhalt (seit November 2022) und weitere öffentliche Organisationen Mitglied; eingetragen sind die kommunalen Gründungsmitglieder.",
            "it-e-government", Lsa, RegistryLegalForms.PrivateLaw, [("15003000", Partner), ("15083040", Partner)], 2009, RegistryStatus.Implemented,
            [$"{Harz}, Abschnitte 3.3.4 „Die Kommunale IT-Union eG (KITU)“ und 3.5.2", "https://www.kitu-genossenschaft.de/"]),
        new("Nordharzer Städtebundtheater",
            "Dreispartentheater als kommunaler Zweckverband: 1992 aus der Fusion des Stadttheaters Quedlinburg und des Volkstheaters Halberstadt hervorgegangen. " +
            "Träger des Zweckverbands sind der Landkreis Harz und die Städte Quedlinburg und Halberstadt; das Land Sachsen-Anhalt bezuschusst.",
            "kultur-wissenschaft", Lsa, Zweckverband, [("15085", Partner), ("15085135", Partner), ("15085235", Partner)], 1992, RegistryStatus.Implemented,
            [$"{Harz}, Abschnitt 3.5.2 „Stand der IKZ im Landkreis Harz“", "Nordharzer Städtebundtheater, https://harztheater.de/ (Träger des Zweckverbands)"]),

        // ---- seeds/001: Herxheim and Offenbach an der Queich, one entry per field the source names
        new("Gemeinsame Stelle des Vollstreckungsbeamten Herxheim und Offenbach an der Queich",
            "Die Verbandsgemeinden Herxheim und Offenbach an der Queich sind 2011 mit einer gemeinsamen Stelle des Vollstreckungsbeamten (Forderungsvollstreckung) gestartet. " +
            "Inzwischen kooperieren sie in sechs Bereichen; die Quelle nennt Forderungsvollstreckung, Datenschutz, Fluchtaufnahme, ordnungsbehördliche Abwicklung von Großereignissen und Festivitäten " +
            "und Verwaltungsdigitalisierung. „Ist der erste Schritt gemacht und Vertrauen geschaffen, ist es einfacher, weitere Schritte zu gehen.“",
            "finanzen", Rp, Open, [("073375004", Partner), ("073375007", Partner)], 2011, RegistryStatus.Implemented, [ModelRp], SuccessFactors: ["vertrauen"]),
        new("Datenschutz Herxheim und Offenbach an der Queich",
            "Einer der weiteren Bereiche, in denen die Verbandsgemeinden Herxheim und Offenbach an der Queich nach ihrem Start 2011 erfolgreich kooperieren. Die Quelle nennt weder Beginn noch Rechtsform.",
            "recht", Rp, Open, [("073375004", Partner), ("073375007", Partner)], null, RegistryStatus.Implemented, [ModelRp]),
        new("Fluchtaufnahme Herxheim und Offenbach an der Queich",
            "Einer der weiteren Bereiche, in denen die Verbandsgemeinden Herxheim und Offenbach an der Queich nach ihrem Start 2011 erfolgreich kooperieren. Die Quelle nennt weder Beginn noch Rechtsform.",
            "soziales", Rp, Open, [("073375004", Partner), ("073375007", Partner)], null, RegistryStatus.Implemented, [ModelRp]),
        new("Ordnungsbehördliche Abwicklung von Großereignissen und Festivitäten Herxheim und Offenbach an der Queich",
            "Einer der weiteren Bereiche, in denen die Verbandsgemeinden Herxheim und Offenbach an der Queich nach ihrem Start 2011 erfolgreich kooperieren. Die Quelle nennt weder Beginn noch Rechtsform.",
            "sicherheit-ordnung", Rp, Open, [("073375004", Partner), ("073375007", Partner)], null, RegistryStatus.Implemented, [ModelRp]),
        new("Verwaltungsdigitalisierung Herxheim und Offenbach an der Queich",
            "Einer der weiteren Bereiche, in denen die Verbandsgemeinden Herxheim und Offenbach an der Queich nach ihrem Start 2011 erfolgreich kooperieren. Die Quelle nennt weder Beginn noch Rechtsform.",
            "it-e-government", Rp, Open, [("073375004", Partner), ("073375007", Partner)], null, RegistryStatus.Implemented, [ModelRp]),

        // ---- seeds/002: the Vorderpfalz pilots, linked to the demo agreements (partners, status and years live from the agreement)
        new("Gemeinsame Kfz-Zulassung Vorderpfalz",
            "Pilotleistung des IKZ-Modellprojekts Vorderpfalz: gemeinsame ortsunabhängige Antragsbearbeitung der Kfz-Zulassung in einem vergrößerten Team; die Verantwortung bleibt bei jeder Kommune. " +
            "Speyer beteiligt sich laut Bericht erst bei höheren digitalen Antragszahlen. Partner, Status und Beginn kommen aus der Vereinbarung in OpenIKZ (Demo).",
            "buergerdienste", Rp, "zweckvereinbarung", [], null, "", [Vorderpfalz], Goals: ["fachkraeftemangel"], AgreementTitlePrefix: "Zweckvereinbarung gemeinsame Kfz-Zulassung"),
        new("Gemeinsame Elterngeldstelle Vorderpfalz",
            "Pilotleistung des IKZ-Modellprojekts Vorderpfalz: gemeinsame Bearbeitung der Elterngeldanträge der vier Partner. Partner, Status und Beginn kommen aus der Vereinbarung in OpenIKZ (Demo).",
            "jugend-familie", Rp, "zweckvereinbarung", [], null, "", [Vorderpfalz], AgreementTitlePrefix: "Zweckvereinbarung gemeinsame Elterngeldstelle"),
        new("Wohngeld Speyer – Ludwigshafen am Rhein",
            "Pilotleistung Wohngeld des IKZ-Modellprojekts Vorderpfalz, hier als Bearbeitung der Speyerer Fälle durch Ludwigshafener Personal. Partner, Status und Beginn kommen aus der Vereinbarung in OpenIKZ (Demo).",
            "soziales", Rp, "zweckvereinbarung", [], null, "", [Vorderpfalz], AgreementTitlePrefix: "Zweckvereinbarung Wohngeld Speyer"),
        new("Grundsicherung Vorderpfalz",
            "Pilotleistung Grundsicherung im Alter und bei Erwerbsminderung des IKZ-Modellprojekts Vorderpfalz. Die Demo-Vereinbarung dazu ist gekündigt; der Eintrag zeigt, wie eine Rückabwicklung " +
            "live aus der Vereinbarung ins Register kommt (Status und Grund).",
            "soziales", Rp, "kommunale-arbeitsgemeinschaft", [], null, "", [Vorderpfalz], AgreementTitlePrefix: "Arbeitsgemeinschaft Grundsicherung Vorderpfalz"),
    ];

    public async Task LoadAsync(CancellationToken ct)
    {
        if (await db.QuerySingleAsync<long>("SELECT COUNT(*) FROM registry_cooperations", ct: ct) > 0) return;
        var now = clock.GetUtcNow().UtcDateTime;
        await db.InTransactionAsync(async (c, tx) =>
        {
            foreach (var seed in Seeds)
            {
                LinkedAgreementFacts? linked = null;
                string? creator = seed.Partners.FirstOrDefault(p => p.Role == Lead).Ags ?? seed.Partners.FirstOrDefault().Ags;
                if (seed.AgreementTitlePrefix is { } prefix)
                {
                    var agreement = await c.QuerySingleOrDefaultAsync<(long Id, string CreatedBy)>(
                        "SELECT id, created_by_ags FROM agreements WHERE title LIKE @Prefix ORDER BY id LIMIT 1", new { Prefix = prefix + "%" }, tx);
                    if (agreement.Id == 0) continue; // the demo agreements were not loaded (an instance that had its own): nothing to link
                    linked = await CooperationService.LinkedAsync(c, agreement.Id, ct, tx);
                    creator = agreement.CreatedBy;
                }
                var input = new CooperationInput(seed.Title, seed.Description, seed.TaskField, seed.Law, seed.Form,
                    linked is null ? seed.Partners.Select(p => new PartnerInput(p.Ags, p.Role)).ToList() : null,
                    seed.Since, linked is null ? seed.Status : null, null, null, [.. seed.Goals ?? []], [.. seed.SuccessFactors ?? []], [],
                    null, null, null, null, null, null, [.. seed.Sources], linked?.Id, null);
                var keys = seed.Partners.Select(p => p.Ags).Concat(linked?.MemberAgs ?? []).Distinct().ToArray();
                var record = CooperationValidator.Validate(input, await cooperations.DirectoryAsync(c, keys, ct, tx), linked);
                await CooperationService.InsertAsync(c, tx, record, creator, now);
            }
        }, ct);
    }
}
