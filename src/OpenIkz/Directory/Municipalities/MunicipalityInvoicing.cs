using System.Security.Claims;
using System.Text.RegularExpressions;
using OpenIkz.Directory.Accounts;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Directory.Municipalities;

/// <summary>
/// What a municipality's e-invoices and letters need about it as an authority: the name of the issuing office,
/// its postal address, bank account, e-mail, telephone, Leitweg-ID and opening hours. Its administrators keep it.
/// </summary>
public sealed record InvoicingData(
    string Ags, string Name, string? AuthorityName, string? Street, string? PostalCode, string? City,
    string? Iban, string? Bic, string? Email, string? Telephone, string? LeitwegId, string? OpeningHours);

/// <summary>The editable fields; empty or missing fields are cleared.</summary>
public sealed record InvoicingInput(
    string? AuthorityName = null, string? Street = null, string? PostalCode = null, string? City = null,
    string? Iban = null, string? Bic = null, string? Email = null, string? Telephone = null, string? LeitwegId = null, string? OpeningHours = null);

/// <summary>The caller may see the record but not change it (another role of the same municipality).</summary>
public sealed class InvoicingForbiddenException() : Exception("Nur die Administration der Kommune kann ihre Rechnungsdaten ändern.");

/// <summary>No such municipality, or the caller belongs to another one: either way "not found".</summary>
public sealed class InvoicingNotFoundException() : NotFoundException("Kommune nicht gefunden.");

/// <summary>
/// Reads and changes the invoicing data of a municipality. Only users of that municipality see it (others get
/// "not found"); only its Administration changes it (other roles and API clients are refused).
/// </summary>
public sealed partial class MunicipalityInvoicing(Db db)
{
    public const int MaxTextLength = 200;
    public const int MaxOpeningHoursLength = 500;

    private const string Select = """
        SELECT ags, name, authority_name AS AuthorityName, address_street AS Street, address_postal_code AS PostalCode, address_city AS City,
               iban, bic, email, telephone, leitweg_id AS LeitwegId, opening_hours AS OpeningHours
        FROM municipalities WHERE ags = @Ags
        """;

    public async Task<InvoicingData> GetAsync(ClaimsPrincipal caller, string ags, CancellationToken ct = default)
    {
        if (caller.MunicipalityAgs() != ags) throw new InvoicingNotFoundException();
        return await FindAsync(ags, ct) ?? throw new InvoicingNotFoundException();
    }

    public async Task<InvoicingData?> FindAsync(string ags, CancellationToken ct = default) =>
        (await db.QuerySingleOrDefaultAsync<Row>(Select, new { Ags = ags }, ct))?.ToData();

    // A settable row rather than the positional record: SQLite reports the type of a NULL column per row.
    private sealed class Row
    {
        public string Ags { get; init; } = "";
        public string Name { get; init; } = "";
        public string? AuthorityName { get; init; }
        public string? Street { get; init; }
        public string? PostalCode { get; init; }
        public string? City { get; init; }
        public string? Iban { get; init; }
        public string? Bic { get; init; }
        public string? Email { get; init; }
        public string? Telephone { get; init; }
        public string? LeitwegId { get; init; }
        public string? OpeningHours { get; init; }

        public InvoicingData ToData() => new(Ags, Name, AuthorityName, Street, PostalCode, City, Iban, Bic, Email, Telephone, LeitwegId, OpeningHours);
    }

    /// <summary>Replaces the invoicing data after validating every field.</summary>
    /// <exception cref="InvoicingNotFoundException">The caller belongs to another municipality.</exception>
    /// <exception cref="InvoicingForbiddenException">The caller is not the municipality's Administration.</exception>
    /// <exception cref="ValidationException">Field errors, keyed by the JSON field names.</exception>
    public async Task<InvoicingData> UpdateAsync(ClaimsPrincipal caller, string ags, InvoicingInput input, CancellationToken ct = default)
    {
        if (caller.MunicipalityAgs() != ags || await FindAsync(ags, ct) is null) throw new InvoicingNotFoundException();
        if (caller.UserId() is null || !caller.IsInRole(Roles.Administration)) throw new InvoicingForbiddenException();
        var v = Validate(input);
        await db.ExecuteAsync("""
            UPDATE municipalities SET authority_name = @AuthorityName, address_street = @Street, address_postal_code = @PostalCode, address_city = @City,
                iban = @Iban, bic = @Bic, email = @Email, telephone = @Telephone, leitweg_id = @LeitwegId, opening_hours = @OpeningHours
            WHERE ags = @Ags
            """, new { Ags = ags, v.AuthorityName, v.Street, v.PostalCode, v.City, v.Iban, v.Bic, v.Email, v.Telephone, v.LeitwegId, v.OpeningHours }, ct);
        return (await FindAsync(ags, ct))!;
    }

    [GeneratedRegex(@"^[0-9]{5}$")]
    private static partial Regex PostalCodeSyntax();

    /// <summary>ISO 9362: 4 letters (institution), 2 letters (country), 2 letters or digits (location), optionally 3 (branch).</summary>
    [GeneratedRegex(@"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")]
    private static partial Regex BicSyntax();

    [GeneratedRegex(@"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")]
    private static partial Regex EmailSyntax();

    /// <summary>E.123 style: an international (+49 …) or national (0…) number; digits in groups separated by spaces, '-', '/' or an area code in brackets.</summary>
    [GeneratedRegex(@"^(\+[1-9]|0)[0-9 ()/\-]*[0-9]$")]
    private static partial Regex TelephoneSyntax();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    /// <summary>Checks and normalises the input (trimmed, IBAN and BIC without spaces and upper case); every bad field gets a German message.</summary>
    /// <exception cref="ValidationException">One or more fields are invalid.</exception>
    public static InvoicingInput Validate(InvoicingInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new ValidationErrors();
        string? Text(string field, string? value, string label, int max = MaxTextLength)
        {
            var t = string.IsNullOrWhiteSpace(value) ? null : Spaces().Replace(value.Trim(), " ");
            if (t is not null && t.Length > max) errors.Add(field, $"{label}: höchstens {max} Zeichen.");
            return t;
        }

        var authority = Text("authorityName", input.AuthorityName, "Name der Behörde");
        var street = Text("street", input.Street, "Straße und Hausnummer");
        var city = Text("city", input.City, "Ort", 100);

        var postal = Text("postalCode", input.PostalCode, "Postleitzahl", 5);
        if (postal is not null && !PostalCodeSyntax().IsMatch(postal)) errors["postalCode"] = ["Die Postleitzahl hat genau fünf Ziffern, z. B. 38820."];

        var iban = string.IsNullOrWhiteSpace(input.Iban) ? null : Iban.Normalize(input.Iban);
        if (iban is not null && !Iban.IsValid(iban))
            errors.Add("iban", "Die IBAN ist ungültig: Ländercode, zwei Prüfziffern und Kontonummer (in Deutschland 22 Zeichen), die Prüfsumme (Modulo 97) muss stimmen.");

        var bic = string.IsNullOrWhiteSpace(input.Bic) ? null : Iban.Normalize(input.Bic);
        if (bic is not null && !BicSyntax().IsMatch(bic))
            errors.Add("bic", "Die BIC hat 8 oder 11 Zeichen: 4 Buchstaben (Institut), 2 Buchstaben (Land), 2 Buchstaben oder Ziffern (Ort), optional 3 für die Filiale, z. B. MALADE51SPY.");
        else if (bic is not null && iban is not null && bic[4..6] != iban[..2])
            errors.Add("bic", $"Das Land der BIC ({bic[4..6]}) passt nicht zum Land der IBAN ({iban[..2]}).");

        var email = Text("email", input.Email, "E-Mail-Adresse", 254);
        if (email is not null && !EmailSyntax().IsMatch(email)) errors["email"] = ["Die E-Mail-Adresse ist ungültig, z. B. rechnung@stadt-beispiel.de."];

        var telephone = Text("telephone", input.Telephone, "Telefonnummer", 30);
        var digits = telephone?.Count(char.IsAsciiDigit) ?? 0;
        if (telephone is not null && (!TelephoneSyntax().IsMatch(telephone) || digits is < 6 or > 15))
            errors["telephone"] = ["Die Telefonnummer beginnt mit + und Ländervorwahl oder mit 0 und hat 6 bis 15 Ziffern, getrennt höchstens durch Leerzeichen, - oder /, z. B. +49 3941 55-0."];

        var leitweg = string.IsNullOrWhiteSpace(input.LeitwegId) ? null : input.LeitwegId.Trim().ToUpperInvariant();
        if (leitweg is not null && !LeitwegId.IsValid(leitweg))
            errors.Add("leitwegId", "Die Leitweg-ID ist ungültig: Grobadressierung (2–12 Ziffern), optional Feinadressierung, zwei Prüfziffern, durch Bindestriche getrennt, z. B. 15085135-0001-19; die Prüfziffern müssen stimmen.");

        var hours = string.IsNullOrWhiteSpace(input.OpeningHours) ? null : input.OpeningHours.Trim().ReplaceLineEndings("\n");
        if (hours is not null && hours.Length > MaxOpeningHoursLength) errors.Add("openingHours", $"Öffnungszeiten: höchstens {MaxOpeningHoursLength} Zeichen.");
        else if (hours is not null && hours.Any(c => char.IsControl(c) && c != '\n')) errors.Add("openingHours", "Die Öffnungszeiten enthalten unzulässige Steuerzeichen.");

        if (errors.Count > 0) throw new ValidationException(errors);
        return new InvoicingInput(authority, street, postal, city, iban, bic, email, telephone, leitweg, hours);
    }
}
