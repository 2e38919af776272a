using OpenIkz.Backoffice.Access;
using System.Globalization;
using Dapper;
using OpenIkz.Backoffice.Cases;
using OpenIkz.Backoffice.Intake;
using OpenIkz.Directory.Services;
using OpenIkz.Directory.Accounts;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Pages;

/// <summary>Labels and formatting of the back office pages (Arbeitskorb, Vorgang, Pool, Archiv).</summary>
public static class BackofficeUi
{
    /// <summary>The largest file a clerk may add to a case through the page.</summary>
    public const long MaxUploadBytes = 20L * 1024 * 1024;

    /// <summary>A calendar date in German notation: "03.05.2026".</summary>
    public static string Date(DateOnly date) => date.ToString("dd.MM.yyyy", Ui.German);

    /// <summary>A date as an HTML date input wants it: "2026-05-03".</summary>
    public static string IsoDate(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static DateOnly Today(TimeProvider clock) => BerlinTime.Today(clock);

    public static string ServiceName(string slug) => ServiceCatalog.Find(slug)?.Name ?? Ui.ServiceLabel(slug);

    public static string? CaseGroupLabel(string service, string? group) =>
        group is null ? null : ServiceCatalog.Find(service)?.CaseGroups.FirstOrDefault(g => g.Slug == group)?.Label ?? group;

    public static string DocumentLabel(string service, string type) =>
        ServiceCatalog.Find(service)?.Document(type)?.Label ?? OpenIkz.Backoffice.Cases.CaseQueries.GeneratedDocumentLabel(type);

    public static string SourceLabel(string source) => source switch
    {
        "intake" => "Online-Antrag",
        "clerk" => "Sachbearbeitung",
        "decision" => "Bescheid",
        _ => source,
    };

    /// <summary>"1,2 MB", "350 KB".</summary>
    public static string FileSize(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} Byte",
        < 1024 * 1024 => (bytes / 1024.0).ToString("N0", Ui.German) + " KB",
        _ => (bytes / (1024.0 * 1024.0)).ToString("N1", Ui.German) + " MB",
    };

    private static readonly Dictionary<string, string> ChoiceLabels = new()
    {
        ["basiselterngeld"] = "Basiselterngeld",
        ["elterngeldplus"] = "ElterngeldPlus",
        ["partnerschaftsbonus"] = "Partnerschaftsbonus",
        ["alter"] = "Alter",
        ["erwerbsminderung"] = "Erwerbsminderung",
    };

    /// <summary>The application form of a case as (label, value) pairs, in the order of the catalogue; unknown fields last.</summary>
    public static IReadOnlyList<(string Label, string Value)> FormRows(string service, IReadOnlyDictionary<string, object?> form)
    {
        var definition = ServiceCatalog.Find(service);
        var rows = new List<(string, string)>();
        var known = new HashSet<string>();
        foreach (var field in definition?.Fields ?? [])
        {
            known.Add(field.Name);
            if (!form.TryGetValue(field.Name, out var value) || value is null || (value is string s && s.Length == 0)) continue;
            rows.Add((field.Label, FormValue(field, value)));
        }
        foreach (var (name, value) in form.Where(kv => !known.Contains(kv.Key) && kv.Value is not null).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            rows.Add((name, Convert.ToString(value, Ui.German) ?? ""));
        return rows;
    }

    private static string FormValue(FormField field, object value) => field.Kind switch
    {
        FieldKind.Date when DateOnly.TryParseExact(value.ToString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) => Date(d),
        FieldKind.Integer when value is decimal n => n.ToString("N0", Ui.German),
        FieldKind.Decimal when value is decimal n => n.ToString("N2", Ui.German),
        FieldKind.Choice => ChoiceLabels.TryGetValue(value.ToString() ?? "", out var label) ? label : value.ToString() ?? "",
        _ => Convert.ToString(value, Ui.German) ?? "",
    };

    /// <summary>Field errors of a form: the messages of the given keys, or none.</summary>
    public static IReadOnlyList<string> ErrorsFor(IReadOnlyDictionary<string, string[]> errors, string field) =>
        errors.TryGetValue(field, out var e) ? e : [];

    /// <summary>The value for aria-describedby: the hint and the error of a field, or null.</summary>
    public static string? DescribedBy(bool invalid, string errorId, string? hintId = null)
    {
        var ids = new List<string>();
        if (hintId is not null) ids.Add(hintId);
        if (invalid) ids.Add(errorId);
        return ids.Count == 0 ? null : string.Join(" ", ids);
    }
}

/// <summary>A person who can be given a case (a clerk or team lead of the cooperation area).</summary>
public sealed record AssignableUser(long Id, string Username, string DisplayName, string Ags, string MunicipalityName);

/// <summary>Lookups the back office pages need beyond the back office's use cases: agreement titles, municipality names, assignable clerks.</summary>
public static class BackofficeLookups
{
    public static async Task<string?> AgreementTitleAsync(Db db, long agreementId, CancellationToken ct = default) =>
        await db.QuerySingleOrDefaultAsync<string>("SELECT title FROM agreements WHERE id = @Id", new { Id = agreementId }, ct);

    /// <summary>Names of the given municipalities (AGS → name); unknown keys are left out.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> MunicipalityNamesAsync(Db db, IEnumerable<string?> agsList, CancellationToken ct = default)
    {
        var keys = agsList.Where(a => !string.IsNullOrEmpty(a)).Distinct().ToArray();
        if (keys.Length == 0) return new Dictionary<string, string>();
        var rows = await db.QueryAsync<(string Ags, string Name)>($"SELECT ags, name FROM municipalities WHERE {db.InList("ags", "Keys")}", new { Keys = keys }, ct);
        return rows.ToDictionary(r => r.Ags, r => r.Name);
    }

    /// <summary>The id of a case by its reference (exact, case-insensitive) or its id. Says nothing about visibility:
    /// the caller still goes through the back office's use cases, which answers "not found" for a case it may not see.</summary>
    public static async Task<string?> ResolveCaseAsync(Db db, string referenceOrId, CancellationToken ct = default)
    {
        var text = referenceOrId.Trim();
        if (text.Length is 0 or > 64) return null;
        return await db.QuerySingleOrDefaultAsync<string>("SELECT id FROM cases WHERE reference = @Reference OR id = @Id",
            new { Reference = text.ToUpperInvariant(), Id = text.ToLowerInvariant() }, ct);
    }

    /// <summary>
    /// Active clerks and team leads of the own municipality and of every municipality that shares an agreement
    /// in effect with it (the statuses <see cref="OpenIkz.Backoffice.Access.CaseAccess"/> counts): the people a team
    /// lead may hand a case to. Only a choice list: the back office still checks that the person may see the case.
    /// </summary>
    public static async Task<IReadOnlyList<AssignableUser>> AssignableUsersAsync(Db db, string ags, DateOnly today, CancellationToken ct = default)
    {
        var rows = await db.QueryAsync<AssignableUser>($"""
            SELECT DISTINCT u.id AS Id, u.username AS Username, u.display_name AS DisplayName, u.municipality_ags AS Ags, m.name AS MunicipalityName
            FROM users u
            JOIN municipalities m ON m.ags = u.municipality_ags
            JOIN user_roles r ON r.user_id = u.id AND r.role IN (@Clerk, @Lead)
            WHERE u.is_active = TRUE
              AND (u.municipality_ags = @Ags OR u.municipality_ags IN (
                    SELECT other.municipality_ags
                    FROM agreements a
                    JOIN agreement_members own ON own.agreement_id = a.id AND own.municipality_ags = @Ags
                    JOIN agreement_members other ON other.agreement_id = a.id AND other.contributes_staff = TRUE
                    WHERE {Agreements.AgreementGrants.InForce}))
            """, new { Ags = ags, Today = today, Clerk = Roles.Sachbearbeitung, Lead = Roles.Teamleitung }, ct);
        var collation = StringComparer.Create(Ui.German, CompareOptions.None);
        return rows.OrderBy(u => u.Ags == ags ? 0 : 1).ThenBy(u => u.MunicipalityName, collation).ThenBy(u => u.DisplayName, collation).ToList();
    }
}
