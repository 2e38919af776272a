using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Infrastructure;

/// <summary>
/// Where the data-protection keys live (<c>OpenIkz:DataProtectionKeys</c>): <c>files</c> in <c>DATA/keys/</c> (one
/// instance; SQLite always) or <c>database</c>, the table <c>data_protection_keys</c> shared by every instance on the
/// database (PostgreSQL only, its default), so that a cookie or a sealed second-factor secret made by one instance
/// opens on every other. Not on SQLite: a key written while a request holds SQLite's one write lock would wait for
/// that very request.
/// </summary>
public static class DataProtectionKeys
{
    public const string Setting = OpenIkzOptions.Section + ":DataProtectionKeys";
    public const string Files = "files", Database = "database";

    /// <summary>The store chosen by the configuration, or its default for the database kind.</summary>
    public static string StoreOf(IConfiguration configuration) =>
        configuration[Setting] is { Length: > 0 } chosen ? chosen.Trim().ToLowerInvariant()
        : string.Equals(configuration[OpenIkzOptions.Section + ":Database"], "postgres", StringComparison.OrdinalIgnoreCase) ? Database : Files;

    public static string KeysDirectory(IConfiguration configuration) =>
        Path.Combine(Path.GetFullPath(configuration[$"{OpenIkzOptions.Section}:DataDirectory"] ?? new OpenIkzOptions().DataDirectory), "keys");

    public static IServiceCollection AddOpenIkzDataProtection(this IServiceCollection services, IConfiguration configuration)
    {
        var builder = services.AddDataProtection().SetApplicationName("OpenIkz");
        // Another value than the two is refused at start by OpenIkzOptions.Validate (one line naming it).
        if (StoreOf(configuration) == Database)
        {
            services.AddSingleton<DatabaseXmlRepository>();
            services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
                new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = sp.GetRequiredService<DatabaseXmlRepository>()));
        }
        else
            builder.PersistKeysToFileSystem(new DirectoryInfo(KeysDirectory(configuration)));
        return services;
    }
}

/// <summary>
/// The key ring in the table <c>data_protection_keys</c>: read whole, a new key added as a row (never changed or
/// removed; a revoked key is a new element, as Data Protection writes it). Before the first read the schema is brought
/// up to date (the key ring may be loaded before the start-up migrations ran), and key files of <c>DATA/keys/</c> from
/// the time the keys were stored as files are taken over (at every start; one already there is left), so sessions
/// and sealed secrets stay valid.
/// </summary>
public sealed class DatabaseXmlRepository(Db db, MigrationRunner migrations, IConfiguration configuration, TimeProvider clock, ILogger<DatabaseXmlRepository> logger) : IXmlRepository
{
    private readonly SemaphoreSlim _ready = new(1, 1);
    private bool _isReady;

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        EnsureReady();
        var elements = new List<XElement>();
        foreach (var (name, xml) in db.QueryAsync<(string Name, string Xml)>("SELECT name, xml FROM data_protection_keys ORDER BY created_at, name").GetAwaiter().GetResult())
        {
            // One damaged row does not take the whole key ring down: what it sealed cannot be opened, everything else can.
            try { elements.Add(XElement.Parse(xml)); }
            catch (System.Xml.XmlException) { logger.LogError("The data-protection key {Name} in the database is not valid XML; it is left out", name); }
        }
        return elements.AsReadOnly();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        EnsureReady();
        InsertAsync(friendlyName, element.ToString(SaveOptions.DisableFormatting)).GetAwaiter().GetResult();
    }

    private Task<int> InsertAsync(string name, string xml) =>
        db.ExecuteAsync("INSERT INTO data_protection_keys (name, xml, created_at) VALUES (@Name, @Xml, @Now) ON CONFLICT (name) DO NOTHING",
            new { Name = name, Xml = xml, Now = clock.GetUtcNow().UtcDateTime });

    private void EnsureReady()
    {
        if (Volatile.Read(ref _isReady)) return;
        _ready.Wait();
        try
        {
            if (_isReady) return;
            migrations.MigrateAsync().GetAwaiter().GetResult();
            // Every start takes over this instance's key files (rows are only added, an existing name is left as it is):
            // so no instance can miss its old keys because another one wrote the first row in the meantime.
            var directory = DataProtectionKeys.KeysDirectory(configuration);
            if (System.IO.Directory.Exists(directory))
            {
                var taken = 0;
                foreach (var file in System.IO.Directory.GetFiles(directory, "*.xml").Order(StringComparer.Ordinal))
                {
                    string xml;
                    try { xml = XElement.Load(file).ToString(SaveOptions.DisableFormatting); }
                    catch (System.Xml.XmlException) { logger.LogError("The data-protection key file {File} is not valid XML; it is not taken over", Path.GetFileName(file)); continue; }
                    taken += InsertAsync(Path.GetFileNameWithoutExtension(file), xml).GetAwaiter().GetResult();
                }
                if (taken > 0) logger.LogInformation("Took over {Count} data-protection key(s) from the key files into the database", taken);
            }
            Volatile.Write(ref _isReady, true);
        }
        finally
        {
            _ready.Release();
        }
    }
}
