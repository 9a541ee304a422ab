using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Sandboxes.Protocol;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Cluster;

/// <summary>
/// Silos speak TLS to each other on the Orleans port and take only a peer holding the
/// cluster's certificate, so nothing else can join the cluster or send grain calls.
/// </summary>
public sealed class SiloTlsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sbx-silo-tls-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Silos_holding_the_cluster_certificate_form_a_cluster_and_a_stranger_is_turned_away()
    {
        var (certificate, certificatePath, keyPath) = WriteSelfSigned(_folder, "cluster");
        var cluster = $"sbxtls-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var hosts = Enumerable.Range(1, 2).Select(i => new TestSilo(new Dictionary<string, string?>
        {
            ["Sandboxes:HostName"] = $"tls{i}",
            ["Sandboxes:ClusterId"] = cluster,
            ["Sandboxes:ServiceId"] = cluster,
            ["Sandboxes:ClusterSecret"] = secret,
            ["Sandboxes:SiloTls"] = "true",
            ["Tls:CertificatePath"] = certificatePath,
            ["Tls:KeyPath"] = keyPath,
        })).ToArray();
        try
        {
            await using var first = await SiloProcess.StartAsync(hosts[0]);
            await using var second = await SiloProcess.StartAsync(hosts[1]);
            using var client = new Sandboxes.Client.SandboxClient(hosts[1].GrpcUrl, hosts[0].AdminKey);
            await Eventually.WaitAsync(async () => (await client.Hosts.ListAsync()).Count(h => h.Up), up => up == 2, TimeSpan.FromSeconds(60), "both silos in the cluster");

            // A sandbox of the first host, served through the second: grain calls crossed over TLS.
            var name = hosts[0].UniqueName("tls");
            await client.CreateAsync(name, new SandboxOptions(), "tls1");
            Assert.Equal("ok\n", (await client.Sandbox(name).ExecAsync("echo ok")).Stdout);

            var siloPort = int.Parse(hosts[0].Settings["Sandboxes:SiloPort"]!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(await HandshakeAsync(siloPort, certificate, certificate), "a peer with the cluster's certificate completes the handshake");
            var (stranger, _, _) = WriteSelfSigned(_folder, "stranger");
            Assert.False(await HandshakeAsync(siloPort, stranger, certificate), "a peer with another certificate was accepted");
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// TLS to the Orleans port with <paramref name="clientCertificate"/>, expecting the silo to
    /// present <paramref name="cluster"/>; true when the silo keeps the connection.
    /// </summary>
    private static async Task<bool> HandshakeAsync(int port, X509Certificate2 clientCertificate, X509Certificate2 cluster)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, presented, _, _) => presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(cluster.RawData));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = "127.0.0.1",
                    ClientCertificates = [clientCertificate],
                    ApplicationProtocols = [new SslApplicationProtocol("Orleans1")],
                },
                timeout.Token);

            // TLS 1.3 settles a client certificate after the handshake: a refused one ends the
            // connection at the first read, an accepted one leaves it open (the silo may greet).
            var read = tls.ReadAsync(new byte[1], timeout.Token).AsTask();
            var first = await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(2), timeout.Token));
            return first != read || await read > 0;
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private static (X509Certificate2 Certificate, string CertificatePath, string KeyPath) WriteSelfSigned(string folder, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certificatePath = Path.Combine(folder, $"{name}.pem");
        var keyPath = Path.Combine(folder, $"{name}.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (X509Certificate2.CreateFromPemFile(certificatePath, keyPath), certificatePath, keyPath);
    }
}
