using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Auth;

/// <summary>Listening beyond loopback needs TLS and keys; TLS comes from a configured certificate.</summary>
public sealed class ExposureTests
{
    [Theory]
    [InlineData("Sandboxes:GrpcUrl", "http://0.0.0.0:{0}", null, "Sandboxes:GrpcUrl 'http://0.0.0.0:{0}' listens beyond loopback without TLS: set Tls:CertificatePath and Tls:KeyPath")]
    [InlineData("Sandboxes:HttpUrl", "http://0.0.0.0:{0}", null, "Sandboxes:HttpUrl 'http://0.0.0.0:{0}' listens beyond loopback without TLS")]
    [InlineData("Sandboxes:GrpcUrl", "http://0.0.0.0:{0}", "false", "listens beyond loopback without authentication: remove Auth:Enabled=false")]
    public async Task A_silo_refuses_to_start_beyond_loopback_without_tls_or_authentication(string setting, string url, string? authEnabled, string message)
    {
        var port = FreePorts.Next();
        var bound = string.Format(System.Globalization.CultureInfo.InvariantCulture, url, port);
        await using var silo = new TestSilo(new Dictionary<string, string?> { [setting] = bound, ["Auth:Enabled"] = authEnabled ?? "true", ["Console:Host"] = "console.example" });

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(silo.StartAsync);

        Assert.Contains(string.Format(System.Globalization.CultureInfo.InvariantCulture, message, port), refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a.preview.example.com", "lies under the preview domain 'preview.example.com'")]
    [InlineData("console.example.com", "share the site 'example.com'")]
    public async Task A_silo_refuses_a_console_host_that_preview_pages_could_set_cookies_for(string consoleHost, string message)
    {
        await using var silo = new TestSilo(new Dictionary<string, string?> { ["Console:Host"] = consoleHost, ["Preview:BaseUrl"] = "https://preview.example.com" });

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(silo.StartAsync);

        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_operator_whose_shared_parent_is_a_public_suffix_can_say_so()
    {
        await using var silo = new TestSilo(new Dictionary<string, string?>
        {
            ["Console:Host"] = "console.acme.co.uk",
            ["Preview:BaseUrl"] = "https://previews.co.uk",
            ["Preview:AllowSiteSharedWithConsole"] = "true",
        });

        await silo.StartAsync();
    }

    [Fact]
    public async Task Both_ports_serve_the_configured_certificate_and_the_console_cookie_is_secure()
    {
        var folder = Directory.CreateTempSubdirectory("sbx-tls-");
        try
        {
            using var certificate = WriteSelfSigned(folder.FullName);
            await using var silo = new TestSilo(new Dictionary<string, string?>
            {
                ["Sandboxes:GrpcUrl"] = $"https://127.0.0.1:{FreePorts.Next()}",
                ["Sandboxes:HttpUrl"] = $"https://127.0.0.1:{FreePorts.Next()}",
                ["Tls:CertificatePath"] = Path.Combine(folder.FullName, "cert.pem"),
                ["Tls:KeyPath"] = Path.Combine(folder.FullName, "key.pem"),
            });
            await silo.StartAsync();
            SocketsHttpHandler Trusting() => new()
            {
                AllowAutoRedirect = false,
                SslOptions = new SslClientAuthenticationOptions
                {
                    RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == certificate.GetCertHashString(),
                },
            };

            using var channel = GrpcChannel.ForAddress(silo.GrpcUrl, new GrpcChannelOptions { HttpHandler = Trusting() });
            var list = RawCalls.AllMethods().Single(m => m.FullName == "sandboxes.v1.Sandboxes.List");
            Assert.Equal(Grpc.Core.StatusCode.OK, (await RawCalls.CallAsync(channel, list, silo.AdminKey)).StatusCode);
            Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, (await RawCalls.CallAsync(channel, list, null)).StatusCode);

            using var http = new HttpClient(Trusting());
            using var login = await http.PostAsync($"{silo.HttpUrl}/console/login", new FormUrlEncodedContent([new("key", silo.AdminKey)]));
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
            var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
            Assert.Contains("; secure", cookie, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static X509Certificate2 WriteSelfSigned(string folder)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(folder, "cert.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(folder, "key.pem"), key.ExportPkcs8PrivateKeyPem());
        return certificate;
    }
}
