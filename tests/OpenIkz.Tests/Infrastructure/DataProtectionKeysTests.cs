using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Infrastructure;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Tests.Infrastructure;

/// <summary>
/// The data-protection keys in the database (PostgreSQL): what one instance seals (a cookie, a second-factor secret)
/// another instance on the same database opens, each with its own data folder; key files from before are taken over.
/// On both databases: the defaults per kind, the files store's separation, a wrong setting refused at start.
/// </summary>
public abstract class DataProtectionKeysTests(TestDatabase kind) : OwnDatabaseTest(kind, "data-protection")
{
    /// <summary>The configuration of one instance: its own data folder, the shared database.</summary>
    protected Dictionary<string, string?> Instance(string? store)
    {
        RequireDatabase();
        var config = new Dictionary<string, string?> { ["OpenIkz:DataDirectory"] = TestEnvironment.NewTempDirectory("dp-instance"), ["OpenIkz:Mode"] = "production" };
        if (Kind == TestDatabase.Postgres)
        {
            config["OpenIkz:Database"] = "postgres";
            config["ConnectionStrings:Postgres"] = PostgresConnectionString;
        }
        if (store is not null) config["OpenIkz:DataProtectionKeys"] = store;
        return config;
    }

    protected ServiceProvider Build(Dictionary<string, string?> config)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(config).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.AddOpenIkzCore(configuration);
        return services.BuildServiceProvider();
    }

    protected static IDataProtector Protector(IServiceProvider sp) => sp.GetRequiredService<IDataProtectionProvider>().CreateProtector("OpenIkz.Tests.Cookie");

    /// <summary>PostgreSQL only: run by <see cref="DataProtectionKeysTestsPostgres"/>.</summary>
    protected async Task DatabaseStore_WhatOneInstanceSeals_AnotherInstanceOpens_AndNoKeyFileIsWrittenCore()
    {
        var first = Instance(DataProtectionKeys.Database);
        var second = Instance(DataProtectionKeys.Database);
        string sealedText;
        await using (var a = Build(first)) sealedText = Protector(a).Protect("Sitzung von frankenthal.sachbearbeitung");
        await using (var b = Build(second))
        {
            Assert.Equal("Sitzung von frankenthal.sachbearbeitung", Protector(b).Unprotect(sealedText));
            var db = b.GetRequiredService<Db>();
            Assert.Equal(1, await db.QuerySingleAsync<long>("SELECT COUNT(*) FROM data_protection_keys"));
            var xml = await db.QuerySingleAsync<string>("SELECT xml FROM data_protection_keys");
            Assert.StartsWith("<key id=", xml);
        }
        foreach (var instance in new[] { first, second })
            Assert.False(System.IO.Directory.Exists(Path.Combine(instance["OpenIkz:DataDirectory"]!, "keys")), "no key file beside the database store");
    }

    [SkippableFact]
    public async Task FilesStore_SealsWithItsOwnFolder_SoAnotherInstanceCannotOpenIt()
    {
        string sealedText;
        await using (var a = Build(Instance(DataProtectionKeys.Files))) sealedText = Protector(a).Protect("geheim");
        await using var b = Build(Instance(DataProtectionKeys.Files));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => Protector(b).Unprotect(sealedText));
    }

    /// <summary>PostgreSQL only: run by <see cref="DataProtectionKeysTestsPostgres"/>.</summary>
    protected async Task DatabaseStore_TakesOverTheKeyFilesOfBefore_SoWhatWasSealedStillOpensCore()
    {
        var config = Instance(DataProtectionKeys.Files);
        string sealedText;
        await using (var before = Build(config)) sealedText = Protector(before).Protect("TOTP-Geheimnis");
        var keyFiles = System.IO.Directory.GetFiles(Path.Combine(config["OpenIkz:DataDirectory"]!, "keys"), "*.xml");
        Assert.Single(keyFiles);

        config["OpenIkz:DataProtectionKeys"] = DataProtectionKeys.Database;
        await using (var after = Build(config))
        {
            Assert.Equal("TOTP-Geheimnis", Protector(after).Unprotect(sealedText));
            var db = after.GetRequiredService<Db>();
            Assert.Equal(Path.GetFileNameWithoutExtension(keyFiles[0]), await db.QuerySingleAsync<string>("SELECT name FROM data_protection_keys"));
        }
        // Another instance without those files opens it too, from the database.
        await using var other = Build(Instance(DataProtectionKeys.Database));
        Assert.Equal("TOTP-Geheimnis", Protector(other).Unprotect(sealedText));
    }

    [SkippableFact]
    public void Default_IsTheDatabaseOnPostgres_AndFilesOnSqlite()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(Instance(null)).Build();
        Assert.Equal(Kind == TestDatabase.Postgres ? DataProtectionKeys.Database : DataProtectionKeys.Files, DataProtectionKeys.StoreOf(config));
    }

    [SkippableFact]
    public void WrongSetting_IsRefusedWithOneLineNamingIt()
    {
        var options = new OpenIkzOptions { DataProtectionKeys = "redis" };
        var problem = Assert.Single(options.Validate("Host=x"));
        Assert.Contains("OpenIkz:DataProtectionKeys must be 'files' or 'database', not 'redis'", problem);
    }
}

public sealed class DataProtectionKeysTestsSqlite() : DataProtectionKeysTests(TestDatabase.Sqlite)
{
    [SkippableFact]
    public void DatabaseStore_OnSqlite_IsRefusedWithOneLine()
    {
        var problem = Assert.Single(new OpenIkzOptions { DataProtectionKeys = "database" }.Validate(null));
        Assert.Contains("needs OpenIkz:Database 'postgres'", problem);
    }
}

public sealed class DataProtectionKeysTestsPostgres() : DataProtectionKeysTests(TestDatabase.Postgres)
{
    [SkippableFact]
    public Task DatabaseStore_WhatOneInstanceSeals_AnotherInstanceOpens_AndNoKeyFileIsWritten() => DatabaseStore_WhatOneInstanceSeals_AnotherInstanceOpens_AndNoKeyFileIsWrittenCore();

    [SkippableFact]
    public Task DatabaseStore_TakesOverTheKeyFilesOfBefore_SoWhatWasSealedStillOpens() => DatabaseStore_TakesOverTheKeyFilesOfBefore_SoWhatWasSealedStillOpensCore();
}
