using System.Globalization;
using OpenIkz.Directory.Municipalities;

namespace OpenIkz.Pages;

/// <summary>Formatting and labels shared by the Razor Pages: German numbers, Berlin time, service names.</summary>
public static class Ui
{
    public static readonly CultureInfo German = CultureInfo.GetCultureInfo("de-DE");

    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    /// <summary>The pilot services of the Vorderpfalz cooperation (slug, German label).</summary>
    public static readonly IReadOnlyList<(string Slug, string Label)> Services =
    [
        ("kfz-zulassung", "Kfz-Zulassung"),
        ("elterngeld", "Elterngeld"),
        ("wohngeld", "Wohngeld"),
        ("grundsicherung", "Grundsicherung im Alter und bei Erwerbsminderung"),
    ];

    public static string ServiceLabel(string slug) =>
        Services.FirstOrDefault(s => s.Slug == slug).Label ?? slug;

    /// <summary>Inhabitants with a thousands separator: "209.117".</summary>
    public static string Number(int value) => value.ToString("N0", German);

    /// <summary>Area with two decimals: "2.104,91 km²".</summary>
    public static string Km2(decimal value) => value.ToString("N2", German) + " km²";

    /// <summary>A UTC time shown in Europe/Berlin: "03.05.2026, 14:35 Uhr".</summary>
    public static string BerlinTime(DateTime utc) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Berlin).ToString("dd.MM.yyyy, HH:mm 'Uhr'", German);

    /// <summary>What the official key of a municipality is called for its type.</summary>
    public static string KeyLabel(MunicipalityType type) => type switch
    {
        MunicipalityType.Landkreis => "Kreisschlüssel",
        MunicipalityType.Verbandsgemeinde => "Gemeindeverbandsschlüssel",
        _ => "Amtlicher Gemeindeschlüssel (AGS)",
    };
}

/// <summary>Model of the partial that shows one municipality as a description list.</summary>
public sealed record MunicipalityFacts(Municipality Municipality, Municipality? District);

/// <summary>Model of the partial that shows the error messages of one form field.</summary>
public sealed record FieldError(string Id, IReadOnlyList<string> Messages);
