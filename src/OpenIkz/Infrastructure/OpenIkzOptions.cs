namespace OpenIkz.Infrastructure;

/// <summary>The "OpenIkz" configuration section (appsettings or environment, e.g. OpenIkz__DataDirectory).</summary>
public sealed class OpenIkzOptions
{
    public const string Section = "OpenIkz";

    /// <summary>Holds the SQLite file and the documents. Relative paths are resolved against the working directory.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary><c>sqlite</c> (default) or <c>postgres</c> (then ConnectionStrings:Postgres is required).</summary>
    public string Database { get; set; } = "sqlite";

    /// <summary>SQLite: concurrent write transactions are committed together behind one fsync (default true; false: one commit each, for comparison).</summary>
    public bool SqliteGroupCommit { get; set; } = true;

    /// <summary><c>demo</c> (default) loads demo data on first start; <c>production</c> loads none and refuses demo passwords.</summary>
    public string Mode { get; set; } = "demo";

    /// <summary>Lifetime of a bearer token issued by POST /api/v1/auth/token.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Largest accepted HTTP request body; larger requests are answered with 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 80L * 1024 * 1024;

    /// <summary>
    /// Stored files that no row references are deleted by the orphan sweep once they are older than this (default one
    /// hour). It must be longer than any upload takes from writing its file to committing its row.
    /// </summary>
    public TimeSpan OrphanFileGracePeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary><c>files</c> or <c>database</c> (PostgreSQL only); empty: <c>database</c> on PostgreSQL, <c>files</c> on SQLite (<see cref="OpenIkz.Infrastructure.DataProtectionKeys"/>).</summary>
    public string? DataProtectionKeys { get; set; }

    public bool IsDemo => string.Equals(Mode, "demo", StringComparison.OrdinalIgnoreCase);

    public string ResolvedDataDirectory => Path.GetFullPath(DataDirectory);

    /// <summary>
    /// Where the documents are stored; empty: <c>DATA/documents</c>. With several instances, a folder every instance
    /// reaches (a shared mount), while each keeps its own data folder (docs/OPERATIONS.md, "Several instances").
    /// </summary>
    public string? DocumentsDirectory { get; set; }

    public string ResolvedDocumentsDirectory => DocumentsDirectory is { Length: > 0 } d ? Path.GetFullPath(d) : Path.Combine(ResolvedDataDirectory, "documents");

    /// <summary>Checks the values and says in one line per problem what is wrong.</summary>
    public IReadOnlyList<string> Validate(string? postgresConnectionString)
    {
        var errors = new List<string>();
        if (!string.Equals(Database, "sqlite", StringComparison.OrdinalIgnoreCase) && !string.Equals(Database, "postgres", StringComparison.OrdinalIgnoreCase))
            errors.Add($"OpenIkz:Database must be 'sqlite' or 'postgres', not '{Database}'.");
        if (string.Equals(Database, "postgres", StringComparison.OrdinalIgnoreCase) && string.IsNullOrWhiteSpace(postgresConnectionString))
            errors.Add("OpenIkz:Database is 'postgres' but ConnectionStrings:Postgres is not set.");
        if (!string.Equals(Mode, "demo", StringComparison.OrdinalIgnoreCase) && !string.Equals(Mode, "production", StringComparison.OrdinalIgnoreCase))
            errors.Add($"OpenIkz:Mode must be 'demo' or 'production', not '{Mode}'.");
        if (TokenLifetime <= TimeSpan.Zero) errors.Add("OpenIkz:TokenLifetime must be positive.");
        if (OrphanFileGracePeriod < TimeSpan.FromMinutes(5)) errors.Add("OpenIkz:OrphanFileGracePeriod must be at least 5 minutes (uploads in flight need it).");
        var keyStore = DataProtectionKeys?.Trim().ToLowerInvariant();
        if (keyStore is { Length: > 0 } and not (Infrastructure.DataProtectionKeys.Files or Infrastructure.DataProtectionKeys.Database))
            errors.Add($"OpenIkz:DataProtectionKeys must be '{Infrastructure.DataProtectionKeys.Files}' or '{Infrastructure.DataProtectionKeys.Database}', not '{DataProtectionKeys}'.");
        else if (keyStore == Infrastructure.DataProtectionKeys.Database && !string.Equals(Database, "postgres", StringComparison.OrdinalIgnoreCase))
            errors.Add("OpenIkz:DataProtectionKeys 'database' needs OpenIkz:Database 'postgres' (SQLite runs one instance; its keys stay in DATA/keys).");
        if (MaxRequestBodyBytes <= 0) errors.Add("OpenIkz:MaxRequestBodyBytes must be positive.");
        return errors;
    }
}
