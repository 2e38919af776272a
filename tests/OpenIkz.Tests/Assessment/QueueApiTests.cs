using System.Net;
using System.Text;
using System.Text.Json;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Assessment;

/// <summary>
/// POST /api/v1/assessment/queue over HTTP on the demo app: public, both questions (evaluate a staff, find the staff),
/// the unstable Erlang C answer, and bad input as a 400 problem naming the field. The calculator reads no data, so
/// SQLite (the host's own database) is enough. Reference values as in <see cref="QueueingTests"/> (mpmath 1.3.0).
/// </summary>
public sealed class QueueApiTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private const string Path = "/api/v1/assessment/queue";

    private async Task<HttpResponseMessage> PostAsync(string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        return await app.Api().SendAsync(request);
    }

    private async Task<JsonElement> OkAsync(string json)
    {
        using var response = await PostAsync(json);
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body;
    }

    private async Task AssertRefusedAsync(string json, string field)
    {
        using var response = await PostAsync(json);
        var problem = await response.AssertProblemAsync(400);
        Assert.True(problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out var messages) && messages.GetArrayLength() > 0,
            $"no error for '{field}': {problem}");
    }

    [Fact]
    public async Task Anonymous_ErlangC_WithAgents_GetsTheMeasures()
    {
        var r = await OkAsync("""{"model":"erlang-c","arrivalsPerHour":720,"handlingMinutes":4,"agents":55,"targetMinutes":0.25}""");
        Assert.Equal("erlang-c", r.GetProperty("model").GetString());
        Assert.Equal(55, r.GetProperty("agents").GetInt32());
        Assert.True(r.GetProperty("stable").GetBoolean());
        Assert.Equal(0.238700936378009, r.GetProperty("waitProbability").GetDouble(), 10);
        Assert.Equal(0.84588309217058, r.GetProperty("serviceLevel").GetDouble(), 10);
        Assert.Equal(0.136400535073148, r.GetProperty("meanWaitMinutes").GetDouble(), 10);
        Assert.Equal(0, r.GetProperty("abandonProbability").GetDouble());
        Assert.Equal(48.0 / 55, r.GetProperty("utilization").GetDouble(), 12);
        Assert.Equal(JsonValueKind.Null, r.GetProperty("squareRootAgents").ValueKind);
    }

    [Fact]
    public async Task ErlangA_WithAgents_GetsAbandonment()
    {
        var r = await OkAsync("""{"model":"erlang-a","arrivalsPerHour":720,"handlingMinutes":4,"agents":45,"targetMinutes":0.25,"patienceMinutes":2}""");
        Assert.True(r.GetProperty("stable").GetBoolean());
        Assert.Equal(0.582850895176748, r.GetProperty("waitProbability").GetDouble(), 9);
        Assert.Equal(0.613556085879286, r.GetProperty("serviceLevel").GetDouble(), 9);
        Assert.Equal(0.103802265122228, r.GetProperty("abandonProbability").GetDouble(), 9);
        Assert.Equal(0.207604530244456, r.GetProperty("meanWaitMinutes").GetDouble(), 9);
    }

    [Fact]
    public async Task TargetServiceLevel_AnswersTheStaff_BesideTheSquareRootFigure()
    {
        var r = await OkAsync("""{"model":"erlang-c","arrivalsPerHour":720,"handlingMinutes":4,"targetServiceLevel":0.8,"targetMinutes":0.25}""");
        var agents = r.GetProperty("agents").GetInt32();
        Assert.True(r.GetProperty("serviceLevel").GetDouble() >= 0.8);
        var fewer = await OkAsync($$"""{"model":"erlang-c","arrivalsPerHour":720,"handlingMinutes":4,"agents":{{agents - 1}},"targetMinutes":0.25}""");
        Assert.True(fewer.GetProperty("serviceLevel").GetDouble() < 0.8, $"{agents - 1} agents suffice already");
        Assert.InRange(r.GetProperty("squareRootAgents").GetInt32(), agents - 2, agents + 2);
        Assert.True(r.GetProperty("halfinWhittBeta").GetDouble() > 0);
        Assert.Equal(agents - 48, r.GetProperty("safetyStaff").GetDouble(), 9);
        Assert.Equal(0.8, r.GetProperty("targetServiceLevel").GetDouble());

        var a = await OkAsync("""{"model":"erlang-a","arrivalsPerHour":720,"handlingMinutes":4,"targetServiceLevel":0.8,"targetMinutes":0.25,"patienceMinutes":2}""");
        Assert.Equal("erlang-a", a.GetProperty("model").GetString());
        Assert.True(a.GetProperty("serviceLevel").GetDouble() >= 0.8);
    }

    [Fact]
    public async Task UnstableErlangC_Is200_SayingSo()
    {
        var r = await OkAsync("""{"model":"erlang-c","arrivalsPerHour":720,"handlingMinutes":4,"agents":48,"targetMinutes":0.25}""");
        Assert.False(r.GetProperty("stable").GetBoolean());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("meanWaitMinutes").ValueKind);
        Assert.Equal(1, r.GetProperty("waitProbability").GetDouble());
        Assert.Contains("Nicht stabil", r.GetProperty("explanation").GetString());
    }

    [Fact]
    public async Task TenThousandAgents_AreFiniteAndInRange()
    {
        var r = await OkAsync("""{"model":"erlang-c","arrivalsPerHour":118800,"handlingMinutes":5,"agents":10000,"targetMinutes":0.5}""");
        foreach (var field in new[] { "waitProbability", "serviceLevel", "utilization" })
            Assert.InRange(r.GetProperty(field).GetDouble(), 0, 1);
        var a = await OkAsync("""{"model":"erlang-a","arrivalsPerHour":118800,"handlingMinutes":5,"agents":10000,"targetMinutes":0.5,"patienceMinutes":3}""");
        Assert.InRange(a.GetProperty("abandonProbability").GetDouble(), 0, 1);
    }

    [Theory]
    [InlineData("""{"model":"erlang-c","arrivalsPerHour":0,"handlingMinutes":4,"agents":5,"targetMinutes":0.25}""", "arrivalsPerHour")]
    [InlineData("""{"model":"erlang-c","arrivalsPerHour":-5,"handlingMinutes":4,"agents":5,"targetMinutes":0.25}""", "arrivalsPerHour")]
    [InlineData("""{"model":"erlang-c","arrivalsPerHour":"viel","handlingMinutes":4,"agents":5,"targetMinutes":0.25}""", "arrivalsPerHour")]
    [InlineData("""{"model":"erlang-c","arrivalsPerHour":"60","handlingMinutes":4,"agents":5,"targetMinutes":0.25}""", "arrivalsPerHour")]
    [InlineData("""{"model":"erlang-c","arrivalsPerHour":60,"handlingMinutes":-4,"agents":5,"targetMinutes":0.25}""", "handlingMinutes")]
    [InlineData("""{"model":"erlang-c","arrivalsPerHour":60,"agents":5,"targetMinutes":0.25}""", "handlingMinutes")]
    [InlineData("""{"model":"erlang-c","arrivalsPerHour":60,"handlingMinutes":4,"agents":0,"targetMinutes":0.25}""", "agents")]
    [InlineData("""{"model":"erlang-c","arrivalsPerHour":60,"handlingMinutes":4,"agents":2.5,"targetMinutes":0.25}""", "agents")]
    [InlineData("""{"model":"erlang-c","arrivalsPerHour":60,"handlingMinutes":4,"targetMinutes":0.25}""", "agents")]
    [InlineData("""{"model":"erlang-c","arrivalsPerHour":60,"handlingMinutes":4,"agents":5}""", "targetMinutes")]
    [InlineData("""{"model":"erlang-x","arrivalsPerHour":60,"handlingMinutes":4,"agents":5,"targetMinutes":0.25}""", "model")]
    [InlineData("""{"arrivalsPerHour":60,"handlingMinutes":4,"agents":5,"targetMinutes":0.25}""", "model")]
    [InlineData("""{"model":"erlang-a","arrivalsPerHour":60,"handlingMinutes":4,"agents":5,"targetMinutes":0.25}""", "patienceMinutes")]
    [InlineData("""{"model":"erlang-a","arrivalsPerHour":60,"handlingMinutes":4,"agents":5,"targetMinutes":0.25,"patienceMinutes":0}""", "patienceMinutes")]
    [InlineData("""{"model":"erlang-c","arrivalsPerHour":60,"handlingMinutes":4,"targetServiceLevel":1.5,"targetMinutes":0.25}""", "targetServiceLevel")]
    [InlineData("""{"model":"erlang-c","arrivalsPerHour":60,"handlingMinutes":4,"agents":5,"targetServiceLevel":0.8,"targetMinutes":0.25}""", "agents")]
    [InlineData("""{"model":"erlang-c","arrivalsPerHour":60,"handlingMinutes":4,"agents":5,"targetMinutes":0.25,"queueLength":3}""", "queueLength")]
    [InlineData("""{"model":"erlang-c","arrivalsPerHour":60,"arrivalsPerHour":61,"handlingMinutes":4,"agents":5,"targetMinutes":0.25}""", "arrivalsPerHour")]
    public async Task BadInput_Is400NamingTheField(string json, string field) => await AssertRefusedAsync(json, field);

    [Fact]
    public async Task EveryBadField_IsNamedAtOnce()
    {
        using var response = await PostAsync("""{"model":"erlang-c","arrivalsPerHour":0,"handlingMinutes":0,"agents":0,"targetMinutes":-1}""");
        var errors = (await response.AssertProblemAsync(400)).GetProperty("errors");
        foreach (var field in new[] { "arrivalsPerHour", "handlingMinutes", "agents", "targetMinutes" })
            Assert.True(errors.TryGetProperty(field, out _), $"no error for '{field}': {errors}");
    }
}
