using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;

namespace OpenIkz.Tests.Infrastructure;

/// <summary>Production behind a TLS proxy: X-Forwarded-Proto is believed from OpenIkz:ForwardedHeaders:KnownNetworks only,
/// and a page over plain HTTP gets a clear German page instead of a 500.</summary>
public sealed class ProxyAndHttpsTests : IAsyncLifetime
{
    private readonly string _dir = TestEnvironment.NewTempDirectory("proxy");
    private WebApplicationFactory<Program> _app = null!;

    public Task InitializeAsync()
    {
        _app = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Testing");
            // As a setting (not only configuration) so that the host sees production mode while it is built: "__Host-" cookies.
            b.UseSetting("OpenIkz:Mode", "production");
            b.ConfigureAppConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["OpenIkz:DataDirectory"] = _dir,
                ["OpenIkz:Mode"] = "production",
                ["OpenIkz:ForwardedHeaders:KnownNetworks:0"] = "10.0.0.0/8",
                ["OpenIkz:ForwardedHeaders:KnownProxies"] = "192.0.2.7",
            }));
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<HttpContext> GetAsync(string path, string remote, string? forwardedProto) =>
        _app.Server.SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Path = path;
            c.Connection.RemoteIpAddress = IPAddress.Parse(remote);
            if (forwardedProto is not null) c.Request.Headers["X-Forwarded-Proto"] = forwardedProto;
        });

    private static string Body(HttpContext c) => new StreamReader(c.Response.Body).ReadToEnd();

    [Fact]
    public async Task FormPage_OverPlainHttp_IsAClearGermanPage_Not500()
    {
        var response = await GetAsync("/Anmelden", "198.51.100.4", null);
        Assert.Equal(400, response.Response.StatusCode);
        Assert.Contains("Bitte HTTPS verwenden", Body(response));
        Assert.Equal(200, (await GetAsync("/health", "198.51.100.4", null)).Response.StatusCode);
    }

    [Fact]
    public async Task ForwardedProto_FromAKnownNetworkOrProxy_IsBelieved_FromElsewhereNot()
    {
        var viaNetwork = await GetAsync("/Anmelden", "10.20.30.40", "https");
        Assert.Equal(200, viaNetwork.Response.StatusCode);
        Assert.Contains("__Host-", viaNetwork.Response.Headers.SetCookie.ToString());
        Assert.Equal(200, (await GetAsync("/Anmelden", "192.0.2.7", "https")).Response.StatusCode);

        var untrusted = await GetAsync("/Anmelden", "198.51.100.4", "https");
        Assert.Equal(400, untrusted.Response.StatusCode);
        Assert.Contains("KnownNetworks", Body(untrusted));
    }
}
