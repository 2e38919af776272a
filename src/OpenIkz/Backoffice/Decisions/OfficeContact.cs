namespace OpenIkz.Backoffice.Decisions;

/// <summary>
/// How a citizen reaches the office that issues a Bescheid. Each part is optional; the letter prints
/// only the lines that are known.
/// </summary>
public sealed record OfficeContact(string? Telephone, string? Email, string? OpeningHours)
{
    public static readonly OfficeContact None = new(null, null, null);

    /// <summary>The label/value lines of the contact block, without the missing ones.</summary>
    public IEnumerable<(string Key, string Value)> Lines()
    {
        if (!string.IsNullOrWhiteSpace(Telephone)) yield return ("Telefon", Telephone.Trim());
        if (!string.IsNullOrWhiteSpace(Email)) yield return ("E-Mail", Email.Trim());
        if (!string.IsNullOrWhiteSpace(OpeningHours)) yield return ("Öffnungszeiten", OpeningHours.Trim());
    }
}
