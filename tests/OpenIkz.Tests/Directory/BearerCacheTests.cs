using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Dapper;
using OpenIkz.Common;
using OpenIkz.Directory.Accounts;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Directory;

/// <summary>
/// A bearer token costs one query per request; the user with roles and services is kept under its security stamp.
/// The tests change the database behind the app's back: a change without a new stamp is not seen (so the kept user
/// is used), a new stamp is seen at the next request, a revoked token is refused at once, and the pending steps are
/// read fresh with every request. Runs on SQLite and on PostgreSQL.
/// </summary>
public abstract class BearerCacheTests(OpenIkzApp fixture)
{
    private OpenIkzApp App => fixture.Require();
    private const string Clerk = "frankenthal.sachbearbeitung";

    private async Task<(HttpClient Client, long UserId)> SignedInAsync()
    {
        var client = App.Api();
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { username = Clerk, password = UserAccounts.DemoPassword });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        await using var c = await App.Db.OpenAsync();
        return (client, await c.QuerySingleAsync<long>("SELECT id FROM users WHERE username = @U", new { U = Clerk }));
    }

    /// <summary>Sets a flag of the user behind the app's back (no new security stamp) for <paramref name="check"/>, then sets it back.</summary>
    private async Task WithUserFlagAsync(long userId, string column, bool value, Func<Task> check)
    {
        await using var c = await App.Db.OpenAsync();
        try
        {
            await c.ExecuteAsync($"UPDATE users SET {column} = @Value WHERE id = @Id", new { Value = value, Id = userId });
            await check();
        }
        finally
        {
            await c.ExecuteAsync($"UPDATE users SET {column} = @Value WHERE id = @Id", new { Value = !value, Id = userId });
        }
    }

    [SkippableFact]
    public async Task KeptUser_IsUsedUnderTheSameStamp_AndReloadedUnderANewOne()
    {
        var (client, userId) = await SignedInAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/work/mine")).StatusCode);
        await using var c = await App.Db.OpenAsync();
        var stamp = await c.QuerySingleAsync<string>("SELECT security_stamp FROM users WHERE id = @Id", new { Id = userId });
        try
        {
            // The role taken away behind the app's back, the stamp left as it was: the kept user still has the role.
            await c.ExecuteAsync("DELETE FROM user_roles WHERE user_id = @Id AND role = @Role", new { Id = userId, Role = Roles.Sachbearbeitung });
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/work/mine")).StatusCode);
            // A new stamp (what every change of roles writes): the next request loads the user again, without the role.
            await c.ExecuteAsync("UPDATE users SET security_stamp = @Stamp WHERE id = @Id", new { Stamp = "neu-" + Guid.NewGuid().ToString("N"), Id = userId });
            await (await client.GetAsync("/api/v1/work/mine")).AssertProblemAsync(403);
        }
        finally
        {
            await c.ExecuteAsync("INSERT INTO user_roles (user_id, role) SELECT @Id, @Role WHERE NOT EXISTS (SELECT 1 FROM user_roles WHERE user_id = @Id AND role = @Role)",
                new { Id = userId, Role = Roles.Sachbearbeitung });
            await c.ExecuteAsync("UPDATE users SET security_stamp = @Stamp WHERE id = @Id", new { Stamp = stamp, Id = userId });
        }
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/work/mine")).StatusCode);
    }

    [SkippableFact]
    public async Task RevokedToken_IsRefusedAtOnce_ThoughItsUserIsKept()
    {
        var (client, _) = await SignedInAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/work/mine")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/v1/auth/token")).StatusCode);
        await (await client.GetAsync("/api/v1/work/mine")).AssertProblemAsync(401);
    }

    [SkippableFact]
    public async Task DeactivatedUser_IsRefusedAtOnce_EvenWithTheTokenLeftInPlace()
    {
        var (client, userId) = await SignedInAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/work/mine")).StatusCode);
        await WithUserFlagAsync(userId, "is_active", false, async () =>
            await (await client.GetAsync("/api/v1/work/mine")).AssertProblemAsync(401));
    }

    [SkippableFact]
    public async Task PendingPasswordStep_IsReadWithEveryRequest_NotKept()
    {
        var (client, userId) = await SignedInAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/work/mine")).StatusCode);
        await WithUserFlagAsync(userId, "password_must_change", true, async () =>
        {
            var refused = await (await client.GetAsync("/api/v1/work/mine")).AssertProblemAsync(403);
            Assert.Equal(PendingSteps.Password, refused.GetProperty("pending").GetString());
        });
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/work/mine")).StatusCode);
    }
}

public sealed class BearerCacheTestsSqlite(SqliteApp app) : BearerCacheTests(app), IClassFixture<SqliteApp>;
public sealed class BearerCacheTestsPostgres(PostgresApp app) : BearerCacheTests(app), IClassFixture<PostgresApp>;
