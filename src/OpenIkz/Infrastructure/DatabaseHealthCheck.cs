using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Infrastructure;

/// <summary>GET /health: 200 with the database's state when it answers, 503 otherwise.</summary>
public sealed class DatabaseHealthCheck(Db db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var c = await db.OpenAsync(ct);
            var version = await c.ExecuteScalarAsync<int>("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
            var expected = MigrationRunner.Embedded(db.Kind)[^1].Version;
            var data = new Dictionary<string, object> { ["database"] = db.Name, ["schemaVersion"] = version, ["expectedSchemaVersion"] = expected };
            return version == expected
                ? HealthCheckResult.Healthy("Database reachable and up to date.", data)
                : HealthCheckResult.Unhealthy("Database schema is not up to date.", data: data);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("Database not reachable.", data: new Dictionary<string, object> { ["database"] = db.Name, ["error"] = ex.GetType().Name });
        }
    }

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var entry = report.Entries.TryGetValue("database", out var e) ? e : default;
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            database = new { state = entry.Status.ToString(), description = entry.Description, details = entry.Data },
        }, JsonSerializerOptions.Web));
    }
}
