using System.Net;
using System.Text.Json;
using AngleSharp.Dom;
using OpenIkz.Infrastructure.Http;
using OpenIkz.Registry.Statistics;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Ui;

/// <summary>/Register/Statistik as a browser gets it: public, every chart beside a table with the same figures, the gpaNRW
/// reference beside the register's, no inline script, filter errors next to their field.</summary>
public sealed class StatisticsPageTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private async Task<IDocument> PageAsync(string query = "")
    {
        var response = await app.Browser().GetAsync("/Register/Statistik" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await PagesTests.ParseAsync(response);
    }

    [Fact]
    public async Task Anonymous_SeesTablesWithCaptionsAndHeaderScopes()
    {
        var page = await PageAsync();
        Assert.Equal("IKZ-Statistik", page.QuerySelector("h1")!.TextContent.Trim());
        var tables = page.QuerySelectorAll("main table");
        Assert.True(tables.Length >= 10, $"{tables.Length} tables");
        foreach (var table in tables)
        {
            Assert.False(string.IsNullOrWhiteSpace(table.QuerySelector("caption")?.TextContent), table.OuterHtml[..200]);
            Assert.All(table.QuerySelectorAll("thead th"), th => Assert.Equal("col", th.GetAttribute("scope")));
            Assert.All(table.QuerySelectorAll("tbody th"), th => Assert.Equal("row", th.GetAttribute("scope")));
            // A scrollable table region is reachable by keyboard and named by the caption.
            var region = table.ParentElement!;
            Assert.Equal("0", region.GetAttribute("tabindex"));
            Assert.Equal(table.QuerySelector("caption")!.Id, region.GetAttribute("aria-labelledby"));
        }
        var main = page.QuerySelector("main")!.TextContent;
        Assert.Contains("CC BY 4.0", main);
        Assert.Contains("gpaNRW", main);
        Assert.Contains("September 2025", main);
        Assert.Contains("berechnet am", main);
    }

    [Fact]
    public async Task EveryChart_IsFollowedByATableWithTheSameFigures()
    {
        var page = await PageAsync("?state=ST");
        var canvases = page.QuerySelectorAll("canvas[data-chart]");
        Assert.True(canvases.Length >= 9, $"{canvases.Length} charts");
        foreach (var canvas in canvases)
        {
            Assert.True(canvas.HasAttribute("hidden"), "a chart is hidden until the script draws it");
            Assert.Equal("img", canvas.GetAttribute("role"));
            Assert.Contains("Tabelle", canvas.GetAttribute("aria-label"));
            var spec = JsonDocument.Parse(canvas.GetAttribute("data-chart")!).RootElement;
            var labels = spec.GetProperty("labels").EnumerateArray().Select(l => l.GetString()!).ToList();
            foreach (var set in spec.GetProperty("datasets").EnumerateArray())
                Assert.Equal(labels.Count, set.GetProperty("data").GetArrayLength());
            // The next table after the chart names every category of the chart in its row heads.
            var table = canvas.ParentElement!.NextElementSibling!.QuerySelector("table")!;
            var rowHeads = table.QuerySelectorAll("tbody th").Select(th => th.TextContent.Trim()).ToList();
            Assert.Equal(labels, rowHeads);
        }
    }

    [Fact]
    public async Task ReferenceTables_ShowGpaNrwAsPrinted()
    {
        var page = await PageAsync();
        var legal = page.QuerySelectorAll("table").Single(t => t.QuerySelector("caption")!.TextContent.Contains("Rechtsformen IKZ nach Segmenten in Prozent"));
        var rows = legal.QuerySelectorAll("tbody tr").Select(tr => tr.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToArray()).ToList();
        Assert.Equal(GpaNrw2025.LegalFormsBySegment.Select(r => r.Values.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray()), rows);
        var quartiles = page.QuerySelectorAll("table").Single(t => t.QuerySelector("caption")!.TextContent.Contains("Verteilung der umgesetzten Aktivitäten"));
        var gpa = quartiles.QuerySelectorAll("tbody tr").Single(tr => tr.QuerySelector("th")!.TextContent.Contains("gpaNRW"));
        Assert.Equal(["66", "155", "178", "227", "453", "31"], gpa.QuerySelectorAll("td").Select(td => td.TextContent.Trim()));
        var figures = page.QuerySelectorAll("table").Single(t => t.QuerySelector("caption")!.TextContent.Contains("Zahlen aus dem Bericht"));
        Assert.Equal(GpaNrw2025.Figures.Count, figures.QuerySelectorAll("tbody tr").Length);
        Assert.Contains("6.250", figures.TextContent);
        Assert.Contains("„140 von 402, und damit rund ein Drittel“", figures.TextContent);
    }

    [Fact]
    public async Task Scripts_AreSameOriginFiles_ServedByTheApp()
    {
        var response = await app.Browser().GetAsync("/Register/Statistik");
        Assert.DoesNotContain("unsafe-inline", SecurityHeaders.ContentSecurityPolicy);
        Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
        var page = await PagesTests.ParseAsync(response);
        var scripts = page.QuerySelectorAll("script").ToList();
        Assert.All(scripts, s => Assert.True(s.HasAttribute("src") && string.IsNullOrWhiteSpace(s.TextContent), s.OuterHtml));
        Assert.Contains(scripts, s => s.GetAttribute("src")!.StartsWith("/lib/chartjs/chart.umd.min.js", StringComparison.Ordinal));
        Assert.Contains(scripts, s => s.GetAttribute("src")!.StartsWith("/js/statistik.js", StringComparison.Ordinal));
        foreach (var path in new[] { "/lib/chartjs/chart.umd.min.js", "/js/statistik.js", "/lib/chartjs/LICENSE.md" })
        {
            var asset = await app.Browser().GetAsync(path);
            Assert.True(asset.StatusCode == HttpStatusCode.OK, path);
        }
        Assert.Equal("text/javascript", (await app.Browser().GetAsync("/lib/chartjs/chart.umd.min.js")).Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("?state=XX", "state")]
    [InlineData("?district=15085040", "district")]
    [InlineData("?state=RP&district=15085", "district")]
    public async Task BadFilter_ShowsTheGermanMessageNextToTheField_AndNoFigures(string query, string field)
    {
        var page = await PageAsync(query);
        Assert.Equal("true", page.GetElementById(field)!.GetAttribute("aria-invalid"));
        Assert.Contains(field + "-fehler", page.GetElementById(field)!.GetAttribute("aria-describedby"));
        Assert.False(string.IsNullOrWhiteSpace(page.GetElementById(field + "-fehler")!.TextContent));
        Assert.NotNull(page.QuerySelector("[role=alert] a[href='#" + field + "']"));
        Assert.Null(page.QuerySelector("canvas"));
        Assert.Null(page.GetElementById("ueberblick"));
    }

    [Fact]
    public async Task DistrictFilter_ShowsTheKreis_AndMatchesTheApi()
    {
        var page = await PageAsync("?district=15085");
        Assert.Contains("Landkreis Harz", page.GetElementById("ueberblick")!.TextContent);
        Assert.Equal("15085", page.QuerySelector("#district option[selected]")!.GetAttribute("value"));
        Assert.Equal("ST", page.QuerySelector("#state option[selected]")!.GetAttribute("value"));
        var api = await (await app.Api().GetAsync("/api/v1/registry/statistics?district=15085")).ReadJsonAsync();
        var overview = page.QuerySelectorAll("table").First();
        var municipalities = overview.QuerySelectorAll("tbody tr").First().QuerySelectorAll("td")[0].TextContent.Trim();
        Assert.Equal(api.GetProperty("municipalities").GetInt64().ToString("N0", Pages.Ui.German), municipalities);
        // Only the Kreise of the chosen state are offered.
        Assert.All(page.QuerySelectorAll("#district optgroup"), g => Assert.Equal("Sachsen-Anhalt", g.GetAttribute("label")));
    }
}
