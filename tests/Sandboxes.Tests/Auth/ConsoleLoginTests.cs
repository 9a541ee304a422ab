using System.Net;
using System.Net.Http.Headers;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Auth;

/// <summary>The console takes an API key at login and answers on its own host only, never on a preview host.</summary>
[Collection(SiloCollection.Name)]
public sealed class ConsoleLoginTests(SiloFixture fixture)
{
    private readonly TestSilo _silo = fixture.Silo;

    private int Port => new Uri(_silo.HttpUrl).Port;

    [Fact]
    public async Task Without_a_key_the_console_refuses_and_a_login_sets_a_strict_host_only_cookie_that_opens_it()
    {
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });

        var page = await http.GetAsync($"{_silo.HttpUrl}/");
        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        Assert.Contains("name=\"key\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"{_silo.HttpUrl}/console/api/sandboxes")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"{_silo.HttpUrl}/?token={_silo.AdminKey}")).StatusCode);

        var wrong = await http.PostAsync($"{_silo.HttpUrl}/console/login", new FormUrlEncodedContent([new("key", "sbx_0123456789abcdef_" + new string('1', 64))]));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.False(wrong.Headers.Contains("Set-Cookie"));

        var login = await http.PostAsync($"{_silo.HttpUrl}/console/login", new FormUrlEncodedContent([new("key", _silo.AdminKey)]));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);

        using var withCookie = new HttpRequestMessage(HttpMethod.Get, $"{_silo.HttpUrl}/console/api/sandboxes");
        withCookie.Headers.Add("Cookie", cookie.Split(';')[0]);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(withCookie)).StatusCode);
        using var withBearer = new HttpRequestMessage(HttpMethod.Get, $"{_silo.HttpUrl}/");
        withBearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _silo.AdminKey);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(withBearer)).StatusCode);
    }

    [Theory]
    [InlineData("8000-some-box-0123456789abcdef.preview.localhost")]
    [InlineData("anything.preview.localhost")]
    [InlineData("localhost")]
    public async Task Another_host_of_the_http_port_cannot_reach_the_console_or_terminals_even_with_a_key(string host)
    {
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        foreach (var (method, path) in new[] { (HttpMethod.Get, "/"), (HttpMethod.Get, "/console/api/sandboxes"), (HttpMethod.Post, "/console/login"), (HttpMethod.Get, "/terminals/some-box"), (HttpMethod.Get, "/console/console.js") })
        {
            using var request = new HttpRequestMessage(method, $"http://127.0.0.1:{Port}{path}");
            request.Headers.Host = $"{host}:{Port}";
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _silo.AdminKey);
            request.Headers.Add("Cookie", $"sandboxes_console={_silo.AdminKey}");

            var response = await http.SendAsync(request);

            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path} on host {host}: {response.StatusCode}");
            Assert.DoesNotContain("/console/", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }
}
