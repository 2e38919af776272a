namespace OpenIkz.Common;

/// <summary>The roles a user can hold, named as the users know them.</summary>
public static class Roles
{
    public const string Sachbearbeitung = "Sachbearbeitung";
    public const string Teamleitung = "Teamleitung";
    public const string Koordination = "Koordination";
    public const string Administration = "Administration";

    public static readonly string[] All = [Sachbearbeitung, Teamleitung, Koordination, Administration];

    public static bool TryParse(string? text, out string role)
    {
        role = All.FirstOrDefault(r => string.Equals(r, text?.Trim(), StringComparison.OrdinalIgnoreCase)) ?? "";
        return role.Length > 0;
    }
}

/// <summary>Claim types used in the principal of a user or an API client.</summary>
public static class OpenIkzClaims
{
    public const string UserId = "oikz:uid";
    public const string Municipality = "oikz:municipality";
    public const string Service = "oikz:service";
    public const string SecurityStamp = "oikz:stamp";
    public const string ClientId = "oikz:client";
    public const string Scope = "oikz:scope";
}
