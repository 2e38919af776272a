using Dapper;
using Npgsql;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Tests.Infrastructure;

/// <summary>
/// On PostgreSQL the app prepares the statements it sends again and again (Npgsql's automatic preparation), so that the
/// server parses and plans the access rule's CTE once per connection instead of on every call.
/// </summary>
public sealed class PostgresAutoPrepareTests
{
    [Fact]
    public void AutomaticPreparation_IsOnByDefault_AndTheConnectionStringWins()
    {
        using var byDefault = Db.ForPostgres("Host=127.0.0.1;Username=x;Password=y;Database=z");
        Assert.Equal(100, new NpgsqlConnectionStringBuilder(byDefault.ConnectionString).MaxAutoPrepare);
        using var switchedOff = Db.ForPostgres("Host=127.0.0.1;Username=x;Password=y;Database=z;Max Auto Prepare=0");
        Assert.Equal(0, new NpgsqlConnectionStringBuilder(switchedOff.ConnectionString).MaxAutoPrepare);
    }

    [Fact]
    public async Task AStatementUsedRepeatedly_IsPreparedOnTheServer_AndStillAnswersAfterTheConnectionReturnsToThePool()
    {
        var cs = await TestEnvironment.CreatePostgresDatabaseAsync();
        try
        {
            using var db = Db.ForPostgres(cs);
            const string sql = "SELECT @N::int + 1";
            // Npgsql's pool gives the same physical connection back to a single caller; the prepared statement survives its reset.
            for (var i = 0; i < 8; i++)
            {
                await using var c = await db.OpenAsync();
                Assert.Equal(i + 1, await c.ExecuteScalarAsync<int>(sql, new { N = i }));
            }
            await using var check = await db.OpenAsync();
            var prepared = (await check.QueryAsync<string>("SELECT statement FROM pg_prepared_statements")).ToList();
            Assert.Contains(prepared, s => s.Contains("$1::int + 1", StringComparison.Ordinal));
            Assert.Equal(42, await check.ExecuteScalarAsync<int>(sql, new { N = 41 }));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await TestEnvironment.DropPostgresDatabaseAsync(cs);
        }
    }
}
