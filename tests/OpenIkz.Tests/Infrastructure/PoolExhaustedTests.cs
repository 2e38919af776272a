using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Infrastructure;

namespace OpenIkz.Tests.Infrastructure;

/// <summary>An instance whose connection pool stays exhausted (several instances against max_connections) answers 503 with Retry-After, not 500.</summary>
public sealed class PoolExhaustedTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task NoConnectionWithinTheTimeout_IsA503ProblemWithRetryAfter()
    {
        using var scope = app.Services.CreateScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Method = "POST";
        context.Request.Path = "/api/v1/work/claim";
        context.Response.Body = new MemoryStream();
        var handler = ActivatorUtilities.CreateInstance<ProblemExceptionHandler>(scope.ServiceProvider);

        var exhausted = new Npgsql.NpgsqlException("The connection pool has been exhausted, either raise 'Max Pool Size' (currently 25) or 'Timeout' (currently 15 seconds)", new TimeoutException());
        Assert.True(await handler.TryHandleAsync(context, exhausted, default));

        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("5", context.Response.Headers.RetryAfter.ToString());
        context.Response.Body.Position = 0;
        using var problem = await JsonDocument.ParseAsync(context.Response.Body);
        Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains("ausgelastet", problem.RootElement.GetProperty("detail").GetString());
        Assert.DoesNotContain("Max Pool Size", problem.RootElement.GetRawText());
    }
}
