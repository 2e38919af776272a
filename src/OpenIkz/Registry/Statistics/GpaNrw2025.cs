namespace OpenIkz.Registry.Statistics;

/// <summary>
/// One number gpaNRW printed: where (section), what (label), the value, its unit ("Anzahl" or "Prozent"), how it is
/// qualified in the text ("rund", "mehr als", "weniger als", "über"; null when it is exact), the number as printed
/// (<see cref="Printed"/>: digits with the German thousands point, or the words, e.g. "drei Viertel") and the words around
/// it, verbatim (<see cref="Quote"/>). A fraction in words is given as a percentage with one decimal (ein Drittel = 33.3).
/// </summary>
public sealed record ReferenceFigure(string Key, string Section, string Label, decimal Value, string Unit, string? Qualifier, string Printed, string Quote);

/// <summary>One row of a printed table: its label as printed and its values in the order of the columns.</summary>
public sealed record ReferenceRow(string Segment, string Label, IReadOnlyList<int> Values);

/// <summary>Which printed figure the register's share of a task field stands beside.</summary>
public sealed record ReferenceTaskField(string TaskField, string Measure, string FigureKey);

/// <summary>
/// The figures gpaNRW published in its 2025 report on IKZ in NRW (seeds/004_4d7853da6392e76a.txt), exactly as printed:
/// the segment counts (1.2.1), the table "Rechtsformen IKZ nach Segmenten in Prozent" (1.2.6), the Kreise quartiles
/// (1.3.2) and every number of the survey's text from section 1 to 1.3.2. Not here: the years and names of the
/// good-practice examples (1.3.3, they are register entries) and the numbers about the Landschaftsverbände (1.4), which
/// come from interviews, not from the survey ("Eine Online-Erhebung … fand dagegen nicht statt").
/// The survey covered the kreisangehörige Kommunen and the Kreise of NRW, not the 23 kreisfreie Städte.
/// <c>tests/OpenIkz.Tests/Registry/GpaNrw2025ReferenceTests.cs</c> checks every value against the printed text.
/// </summary>
public static class GpaNrw2025
{
    public const string Publisher = "Gemeindeprüfungsanstalt Nordrhein-Westfalen (gpaNRW)";
    public const string Title = "Interkommunale Zusammenarbeit (IKZ) in Nordrhein-Westfalen – Überörtliche Prüfung der kreisangehörigen Kommunen und Gemeindeverbände von 2019 bis 2025";
    public const string Published = "Herne, September 2025";
    public const string Period = "2019 bis 2025";
    public const string State = "NW";
    public const string Rights = "© gpaNRW. Die Zahlen sind mit Quellenangabe wiedergegeben; sie stehen nicht unter der Lizenz der Registerdaten.";

    /// <summary>"IKZ-Datenbasis in den Segmenten" (1.2.1): the municipalities per segment the comparisons are based on.</summary>
    public static readonly IReadOnlyList<ReferenceRow> SegmentCounts =
    [
        new(Segments.Small, "Kleine kreisangehörige Kommunen", [207]),
        new(Segments.Medium, "Mittlere kreisangehörige Kommunen", [129]),
        new(Segments.Large, "Große kreisangehörige Kommunen", [35]),
        new(Segments.District, "Kreise (einschließlich der StädteRegion Aachen)", [31]),
    ];

    public const string SegmentCountsSection = "1.2.1";
    public const string SegmentCountsCaption = "IKZ-Datenbasis in den Segmenten";

    /// <summary>The column heads of "Rechtsformen IKZ nach Segmenten in Prozent" as printed, in the order of <see cref="LegalFormGroups.All"/>.</summary>
    public static readonly IReadOnlyList<string> LegalFormColumns =
    [
        "Öffentlich-rechtliche Vereinbarung", "Kommunale Arbeitsgemeinschaft", "Zweckverband", "Rechtsform des Privatrechts",
        "Gemeinsames Kommunalunternehmen", "Noch offen / Sonstiges",
    ];

    /// <summary>"Rechtsformen IKZ nach Segmenten in Prozent" (1.2.6): the legal forms of the implemented projects per segment.</summary>
    public static readonly IReadOnlyList<ReferenceRow> LegalFormsBySegment =
    [
        new(Segments.Small, "kleine kreisangehörige Kommunen", [39, 15, 18, 12, 5, 11]),
        new(Segments.Medium, "mittlere kreisangehörige Kommunen", [33, 27, 14, 11, 3, 12]),
        new(Segments.Large, "große kreisangehörige Kommunen", [37, 29, 11, 6, 1, 16]),
        new(Segments.District, "Kreise", [46, 23, 10, 5, 1, 15]),
    ];

    public const string LegalFormsSection = "1.2.6";
    public const string LegalFormsCaption = "Rechtsformen IKZ nach Segmenten in Prozent";

    /// <summary>"Umgesetzte IKZ-Aktivitäten Kreise" (1.3.2): the activities of each Kreis and its municipalities, over the 31 Kreise.</summary>
    public static readonly FiveNumberSummary Districts = new(66, 155, 178, 227, 453, 31);

    public const string DistrictsSection = "1.3.2";
    public const string DistrictsCaption = "Umgesetzte IKZ-Aktivitäten Kreise";
    public const string DistrictsRowLabel = "Umgesetzte IKZ-Projekte Kreise";

    private const string Count = "Anzahl", Percent = "Prozent";

    public static readonly IReadOnlyList<ReferenceFigure> Figures =
    [
        new("kreisfreie-staedte-ohne-erhebung", "1", "Kreisfreie Städte, in denen gpaNRW IKZ nicht erhoben hat", 23, Count, null, "23", "mit Ausnahme der 23 kreisfreien Städte"),
        new("it-umgesetzt-oder-geplant", "1.1", "Kommunen und Kreise mit umgesetzter oder geplanter IKZ im Aufgabenfeld IT, E-Government", 80, Percent, "rund", "80", "Rund 80 Prozent der Kommunen und Kreise"),
        new("befragte-kommunen", "1.2", "Befragte kreisangehörige Kommunen", 373, Count, null, "373", "in den 373 kreisangehörigen Kommunen und 31 Kreisen einschließlich der StädteRegion Aachen"),
        new("befragte-kreise", "1.2", "Befragte Kreise (einschließlich der StädteRegion Aachen)", 31, Count, null, "31", "in den 373 kreisangehörigen Kommunen und 31 Kreisen einschließlich der StädteRegion Aachen"),
        new("kleine-ohne-interview", "1.2 (Fußnote 1)", "Kleine kreisangehörige Kommunen bis 10.000 Einwohner, mit denen kein standardisiertes Interview geführt wurde", 53, Count, null, "53", "Teilsegment der 53 kleinen kreisangehörigen Kommunen bis 10.000 EW"),
        new("ausgewertete-kommunen", "1.2.1", "Kreisangehörige Kommunen, deren Aktivitäten in die Vergleiche eingeflossen sind", 371, Count, null, "371", "aus 371 kreisangehörigen Kommunen und 31 Kreisen"),
        new("ausgewertete-kreise", "1.2.1", "Kreise, deren Aktivitäten in die Vergleiche eingeflossen sind", 31, Count, null, "31", "aus 371 kreisangehörigen Kommunen und 31 Kreisen"),
        new("nicht-ausgewertete-mittlere", "1.2.1 (Fußnote 3)", "Mittlere kreisangehörige Städte, die wegen ihres Segmentwechsels nicht betrachtet wurden (Harsewinkel, Jüchen)", 2, Count, null, "zwei", "Nicht betrachtet wurden zwei mittlere kreisangehörige Städte"),
        new("aktivitaeten-fiktiv-ausgeglichen", "1.2.2", "Umgesetzte IKZ-Aktivitäten in Kommunen und Kreisen mit fiktiv ausgeglichenem Haushalt", 75, Percent, null, "75", "75 Prozent aller umgesetzten IKZ-Aktivitäten"),
        new("kleine-fachkraeftemangel", "1.2.2", "Kleine kreisangehörige Kommunen, die in IKZ eine Chance sehen, dem Fachkräftemangel entgegenzuwirken", 75, Percent, "rund", "Dreiviertel", "rund Dreiviertel der 207 kleinen kreisangehörigen Kommunen"),
        new("it-umgesetzt", "1.2.3", "Kommunen und Kreise mit umgesetzter IKZ im Aufgabenfeld IT, E-Government", 75, Percent, "mehr als", "drei Viertel", "Mehr als drei Viertel aller kreisangehörigen Kommunen und Kreise"),
        new("kultur-umgesetzt", "1.2.3", "Befragte mit umgesetzter IKZ im Aufgabenfeld Kultur und Wissenschaft", 282, Count, null, "282", "282 der Befragten"),
        new("haelfte-umgesetzt", "1.2.3", "Kommunen und Kreise mit umgesetzter IKZ in Ver- und Entsorgung, Personal, Tourismus, Wirtschaftsförderung, Gewerbe sowie Beschaffung und Vergabe (je Aufgabenfeld)", 50, Percent, "mehr als", "die Hälfte", "Mehr als die Hälfte der kreisangehörigen Kommunen und Kreise"),
        new("kleine-soziales", "1.2.3", "Kleine kreisangehörige Kommunen mit IKZ im Sozialbereich", 33.3m, Percent, "weniger als", "ein Drittel", "weniger als ein Drittel"),
        new("it-geplant", "1.2.4", "Kommunen und Kreise, die IKZ im Aufgabenfeld IT, E-Government planen", 50, Count, null, "50", "50 Kommunen und Kreise"),
        new("it-geplant-erstmals", "1.2.4", "davon zum ersten Mal", 15, Count, null, "15", "davon 15 zum ersten und 35 zum wiederholten Male"),
        new("it-geplant-wiederholt", "1.2.4", "davon zum wiederholten Mal", 35, Count, null, "35", "davon 15 zum ersten und 35 zum wiederholten Male"),
        new("archiv-geplant", "1.2.4", "Kreisangehörige Kommunen und Kreise, die künftig IKZ im Archivwesen sehen", 47, Count, null, "47", "47 kreisangehörige Kommunen und Kreise"),
        new("archiv-geplant-kleine", "1.2.4", "davon aus dem Segment der kleinen kreisangehörigen Kommunen", 68, Percent, null, "68", "davon 68 Prozent"),
        new("gleiches-segment", "1.2.5", "Kommunen und Kreise, die mit Partnern des gleichen Segmentes zusammenarbeiten", 90, Percent, null, "Neun von zehn", "Neun von zehn"),
        new("kreise-eingebunden", "1.2.5", "Interkommunale Kooperationen, in die Kreise eingebunden sind", 75, Percent, "mehr als", "Dreiviertel", "in mehr als Dreiviertel aller interkommunalen Kooperationen"),
        new("oerv-anteil", "1.2.6", "Interkommunale Zusammenarbeit auf Grundlage öffentlich-rechtlicher Vereinbarungen", 33.3m, Percent, "über", "ein Drittel", "Über ein Drittel"),
        new("arbeitsgemeinschaft-anteil", "1.2.6", "Kooperationen, für die kommunale Arbeitsgemeinschaften gebildet wurden", 20, Percent, "mehr als", "ein Fünftel", "mehr als ein Fünftel aller Kooperationen"),
        new("drei-rechtsformen-anteil", "1.2.6", "IKZ-Projekte auf öffentlich-rechtlicher Vereinbarung, kommunaler Arbeitsgemeinschaft oder Zweckverband", 75, Percent, null, "Drei Viertel", "Drei Viertel aller IKZ-Projekte"),
        new("erfolgsfaktoren-zur-wahl", "1.2.7", "Mögliche Erfolgsfaktoren, die die Kommunen und Kreise nach Priorität geordnet haben", 10, Count, null, "zehn", "zehn mögliche Erfolgsfaktoren"),
        new("geprueft-nicht-umgesetzt", "1.2.8", "Kommunen und Kreise, die IKZ-Projekte geprüft, aber nicht umgesetzt haben (von 402)", 140, Count, null, "140", "140 von 402, und damit rund ein Drittel"),
        new("geprueft-nicht-umgesetzt-anteil", "1.2.8", "Anteil der Kommunen und Kreise, die IKZ-Projekte geprüft, aber nicht umgesetzt haben", 33.3m, Percent, "rund", "ein Drittel", "140 von 402, und damit rund ein Drittel"),
        new("wirtschaftlichkeit-kommunen", "1.2.8", "Kreisangehörige Kommunen, bei denen IKZ-Projekte an mangelnder Wirtschaftlichkeit scheitern", 50, Percent, "mehr als", "der Hälfte", "bei mehr als der Hälfte der kreisangehörigen Kommunen"),
        new("kreise-sonstige-gruende", "1.2.8", "Nicht zustande gekommene IKZ-Vorhaben der Kreise aus sonstigen Gründen (z. B. divergierende Interessen)", 75, Percent, null, "75", "in 75 Prozent aller Fälle aus sonstigen Gründen"),
        new("grosse-interne-widerstaende", "1.2.8", "Geprüfte IKZ-Vorhaben großer kreisangehöriger Städte, die an verwaltungsinternen Widerständen scheitern", 41, Percent, null, "41", "41 Prozent der geprüften IKZ-Vorhaben"),
        new("kein-partner", "1.2.8", "Kommunen und Kreise, die IKZ-Vorhaben nicht umgesetzt haben, weil sie keinen passenden Partner gefunden haben", 15, Percent, null, "15", "15 Prozent der Kommunen und Kreise haben IKZ-Vorhaben nicht umgesetzt"),
        new("von-rueckabwicklung-betroffen", "1.2.9", "Befragte Kommunen und Kreise, die von der Rückabwicklung einzelner Projekte betroffen sind", 25, Percent, "rund", "ein Viertel", "nur rund ein Viertel der befragten Kommunen und Kreise"),
        new("aktivitaeten", "1.3", "Umgesetzte IKZ-Aktivitäten, die in der Online-Erhebung genannt wurden", 6250, Count, null, "6.250", "6.250 umgesetzten IKZ-Aktivitäten"),
        new("aktivitaeten-kleine", "1.3", "davon im Segment der kleinen kreisangehörigen Kommunen", 2504, Count, null, "2.504", "2.504 von 6.250"),
        new("kreise-anteil-kommunen", "1.3", "Anteil der Kreise an allen kreisangehörigen Kommunen und Kreisen", 8, Percent, null, "acht", "lediglich acht Prozent"),
        new("kreise-anteil-aktivitaeten", "1.3", "Anteil der Kreise an den umgesetzten IKZ-Projekten", 20, Percent, "rund", "20", "bei rund 20 Prozent"),
        new("median-projekte", "1.3", "Median der Anzahl umgesetzter IKZ-Kooperationen je Kommune oder Kreis", 11, Count, null, "elf", "bei elf Projekten"),
        new("oberstes-viertel", "1.3", "Kommunen und Kreise im Viertel mit den meisten umgesetzten IKZ-Projekten (von 402)", 106, Count, null, "106", "(106 von 402)"),
        new("oberstes-viertel-kreise", "1.3", "Kreise, die zu diesem Viertel zählen", 74, Percent, null, "74", "74 Prozent der Kreise"),
        new("oberstes-viertel-grosse", "1.3", "Große kreisangehörige Städte, die zu diesem Viertel zählen", 43, Percent, null, "43", "mit 43 Prozent"),
        new("oberstes-viertel-mittlere", "1.3", "Mittlere kreisangehörige Städte, die zu diesem Viertel zählen", 26, Percent, null, "26", "mit 26 Prozent"),
        new("oberstes-viertel-kleine", "1.3", "Kleine kreisangehörige Kommunen, die zu diesem Viertel zählen", 17, Percent, null, "17", "mit 17 Prozent"),
        new("regierungsbezirke", "1.3.1", "Regierungsbezirke des Landes Nordrhein-Westfalen", 5, Count, null, "fünf", "fünf Regierungsbezirke"),
        new("muenster", "1.3.1", "Umgesetzte IKZ-Aktivitäten im Regierungsbezirk Münster", 1540, Count, null, "1.540", "mit 1.540 genannten"),
        new("muenster-anteil", "1.3.1", "Anteil des Regierungsbezirks Münster an allen IKZ-Aktivitäten", 25, Percent, null, "Ein Viertel", "Ein Viertel aller IKZ-Aktivitäten"),
        new("koeln-kommunen", "1.3.1", "Kreisangehörige Kommunen und Kreise im Regierungsbezirk Köln, alle interkommunal aktiv", 103, Count, null, "103", "Alle 103 kreisangehörigen Kommunen und Kreise"),
        new("koeln-anteil", "1.3.1", "Anteil des Regierungsbezirks Köln an allen IKZ-Aktivitäten", 20, Percent, "mehr als", "ein Fünftel", "mehr als ein Fünftel aller IKZ-Aktivitäten"),
        new("duesseldorf", "1.3.1", "Umgesetzte IKZ-Aktivitäten im Regierungsbezirk Düsseldorf (die wenigsten)", 826, Count, null, "826", "Die wenigsten IKZ-Aktivitäten (826)"),
        new("duesseldorf-kreisfreie", "1.3.1", "Kreisfreie Städte im Regierungsbezirk Düsseldorf", 10, Count, null, "zehn", "zehn, und damit mit Abstand die am meisten kreisfreien Städte"),
        new("recklinghausen-gebietskoerperschaften", "1.3.2", "Gebietskörperschaften im Kreis Recklinghausen, landesweit am aktivsten", 11, Count, null, "elf", "Die elf Gebietskörperschaften im Kreis Recklinghausen"),
        new("recklinghausen-haushaltssicherung", "1.3.2", "Städte im Kreis Recklinghausen in der Haushaltssicherung (31.12.2024)", 6, Count, null, "Sechs", "Sechs Städte befinden sich"),
        new("recklinghausen-fiktiv-ausgeglichen", "1.3.2", "Kreisangehörige Kommunen im Kreis Recklinghausen mit fiktiv ausgeglichenem Haushalt, dazu der Kreis", 4, Count, null, "vier", "Der Kreis und vier der kreisangehörigen Kommunen"),
        new("siegen-fiktiv-ausgeglichen", "1.3.2", "Kreisangehörige Kommunen im Kreis Siegen-Wittgenstein mit fiktivem Haushaltsausgleich, dazu der Kreis", 6, Count, null, "Sechs", "Sechs kreisangehörige Kommunen sowie der Kreis"),
        new("siegen-verringerung-ruecklage", "1.3.2", "Kommunen im Kreis Siegen-Wittgenstein mit genehmigter Verringerung der allgemeinen Rücklage", 5, Count, null, "Fünf", "Fünf Kommunen haben"),
        new("oberstes-viertel-kreise-haushaltssicherung", "1.3.2", "Kommunen und Kreise im Viertel der Kreise mit den meisten IKZ-Aktivitäten, die in der Haushaltssicherung sind", 14, Percent, null, "14", "14 Prozent der kreisangehörigen Kommunen bzw. Kreise"),
        new("oberstes-viertel-kreise-strukturell-ausgeglichen", "1.3.2", "davon mit strukturell ausgeglichenem Haushalt", 2, Percent, null, "zwei", "Nur zwei Prozent"),
        new("unterstes-viertel-kreise-haushaltssicherung", "1.3.2", "Kommunen und Kreise im Viertel der Kreise mit den wenigsten IKZ-Aktivitäten, die in der Haushaltssicherung sind", 5, Percent, null, "fünf", "fünf Prozent der Kommunen und Kreise in der Haushaltssicherung"),
        new("unterstes-viertel-kreise-ausgeglichen", "1.3.2", "davon mit ausgeglichenem Haushalt", 5, Percent, null, "fünf", "liegt ebenfalls bei fünf Prozent"),
    ];

    /// <summary>The printed figures the register's task-field shares stand beside (1.2.3 implemented, 1.2.4 planned).</summary>
    public static readonly IReadOnlyList<ReferenceTaskField> TaskFields =
    [
        new("it-e-government", "implemented", "it-umgesetzt"),
        new("kultur-wissenschaft", "implemented", "kultur-umgesetzt"),
        new("ver-entsorgung", "implemented", "haelfte-umgesetzt"),
        new("personal", "implemented", "haelfte-umgesetzt"),
        new("tourismus-wirtschaft", "implemented", "haelfte-umgesetzt"),
        new("beschaffung-vergabe", "implemented", "haelfte-umgesetzt"),
        new("it-e-government", "planned", "it-geplant"),
        new("archiv", "planned", "archiv-geplant"),
    ];

    public static ReferenceFigure Figure(string key) => Figures.First(f => f.Key == key);

    /// <summary>The figure as a German reader reads it: "mehr als 75 %", "282", "rund 25 %".</summary>
    public static string Display(ReferenceFigure figure)
    {
        var number = figure.Value.ToString(figure.Value == decimal.Truncate(figure.Value) ? "N0" : "N1", System.Globalization.CultureInfo.GetCultureInfo("de-DE"));
        var text = figure.Unit == Percent ? number + " %" : number;
        return figure.Qualifier is null ? text : figure.Qualifier + " " + text;
    }
}
