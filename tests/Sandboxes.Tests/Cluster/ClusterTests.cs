using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Sandboxes.Client;
using Sandboxes.Protocol;
using Sandboxes.Tests.Infrastructure;
using Sandboxes.Tests.Preview;
using Xunit.Abstractions;
using SandboxesClient = Sandboxes.Protocol.Sandboxes.SandboxesClient;

namespace Sandboxes.Tests.Cluster;

/// <summary>
/// Three real hosts (a silo process and its own Docker engine each) in one cluster: sandboxes
/// spread over them, and every silo serves every sandbox, whichever host holds it.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(HostCluster cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Sandboxes_spread_over_the_hosts_and_each_lives_in_its_own_hosts_engine_only()
    {
        var clients = Enumerable.Range(0, 3).Select(cluster.ClientOf).ToArray();
        var names = Enumerable.Range(0, 30).Select(i => cluster.Hosts[0].UniqueName($"spread{i}")).ToArray();

        // Ten creates through each silo, all at once; one refused for a busy host is retried, as its answer says.
        var infos = await Task.WhenAll(names.Select(async (name, i) =>
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var box = await clients[i % 3].CreateAsync(name);
                    return await box.GetInfoAsync();
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted && attempt < 12)
                {
                    await Task.Delay(RetryAfter(e));
                }
            }
        }));

        var byHost = infos.GroupBy(i => i.Host).ToDictionary(g => g.Key, g => g.Select(i => i.Name).ToHashSet());
        output.WriteLine($"30 sandboxes: {string.Join(", ", byHost.OrderBy(h => h.Key).Select(h => $"{h.Key} {h.Value.Count}"))}");
        Assert.Equal(["h1", "h2", "h3"], byHost.Keys.Order());
        for (var host = 0; host < 3; host++)
        {
            var inEngine = (await cluster.Hosts[host].OwnedContainersAsync()).Select(c => c.Labels["sandboxes.sandbox"]).Where(names.Contains).ToHashSet();
            Assert.Equal(byHost[HostCluster.HostName(host)].Order(), inEngine.Order());
        }

        // Every silo lists them with the same hosts.
        foreach (var client in clients)
        {
            var listed = (await client.ListAsync()).Where(s => names.Contains(s.Name)).ToDictionary(s => s.Name, s => s.Host);
            Assert.Equal(infos.ToDictionary(i => i.Name, i => i.Host).OrderBy(p => p.Key), listed.OrderBy(p => p.Key));
        }

        // And every silo runs a command in every one of them.
        var answers = await Task.WhenAll(names.SelectMany(name => clients.Select(async client =>
            (await client.Sandbox(name).ExecAsync("printf %s \"$SANDBOXES_SANDBOX\"; hostname >/dev/null")).ExitCode)));
        Assert.All(answers, code => Assert.Equal(0, code));

        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Every_silo_serves_exec_files_processes_previews_and_terminals_of_a_sandbox_on_another_host(int owner)
    {
        using var direct = cluster.ClientOf(owner);
        var name = cluster.Hosts[0].UniqueName("everywhere");
        var box = await direct.CreateAsync(name, new SandboxOptions(), HostCluster.HostName(owner));
        Assert.Equal(HostCluster.HostName(owner), (await box.GetInfoAsync()).Host);
        await box.Files.WriteTextAsync("/srv/site/hello.txt", "hello from " + HostCluster.HostName(owner), new WriteFileOptions { MakeParents = true });
        await box.Processes.StartAsync(["python3", "-m", "http.server", "8000", "--bind", "127.0.0.1", "--directory", "/srv/site"], new StartProcessOptions { Id = "web" });
        await box.Processes.WaitForPortAsync("web", 8000, Bound);
        var url = (await box.ExposePortAsync(8000)).Url;

        for (var via = 0; via < 3; via++)
        {
            using var client = cluster.ClientOf(via);
            var relayed = client.Sandbox(name);
            Assert.Equal("hello from " + HostCluster.HostName(owner), (await relayed.ExecAsync("cat /srv/site/hello.txt")).Stdout);
            await relayed.Files.WriteTextAsync($"/root/via-{via}.txt", $"written via h{via + 1}");
            Assert.Equal($"written via h{via + 1}", await relayed.Files.ReadTextAsync($"/root/via-{via}.txt"));
            Assert.Contains("web", (await relayed.Processes.ListAsync()).Select(p => p.Id));

            // The preview URL, as printed (it names the first silo's port), sent to this silo's port.
            using var browser = new PreviewBrowser(cluster.Hosts[via].HttpUrl);
            using var http = browser.Http;
            Assert.Equal("hello from " + HostCluster.HostName(owner), await http.GetStringAsync(url + $"hello.txt?via={via}"));
            Assert.Contains($"GET /hello.txt?via={via}", Encoding.UTF8.GetString((await relayed.Processes.GetLogsAsync("web")).Stderr.Span), StringComparison.Ordinal);

            // The terminal WebSocket.
            using var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("Authorization", $"Bearer {cluster.AdminKey}");
            using var timeout = new CancellationTokenSource(Bound);
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{new Uri(cluster.Hosts[via].HttpUrl).Port}/terminals/{name}"), timeout.Token);
            await ReceiveUntilAsync(socket, "# ", timeout.Token);
            await socket.SendAsync("cat /root/via-0.txt; echo term-$((40+2))\r"u8.ToArray(), WebSocketMessageType.Text, true, timeout.Token);
            var seen = await ReceiveUntilAsync(socket, "term-42", timeout.Token);
            Assert.Contains("written via h1", seen, StringComparison.Ordinal);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        }
    }

    [Fact]
    public async Task A_streaming_exec_relayed_across_hosts_carries_100_mb_intact()
    {
        using var owner = cluster.ClientOf(1);
        using var relay = cluster.ClientOf(0);
        var name = cluster.Hosts[0].UniqueName("relay");
        await owner.CreateAsync(name, new SandboxOptions(), "h2");

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long bytes = 0;
        var stderr = new StringBuilder();
        await foreach (var e in relay.Sandbox(name).ExecStreamAsync("head -c 104857600 /dev/urandom > /tmp/blob && sha256sum /tmp/blob >&2 && cat /tmp/blob"))
        {
            if (e.EventCase == ExecEvent.EventOneofCase.Stdout)
            {
                hash.AppendData(e.Stdout.Span);
                bytes += e.Stdout.Length;
            }
            else if (e.EventCase == ExecEvent.EventOneofCase.Stderr)
            {
                stderr.Append(e.Stderr.ToStringUtf8());
            }
        }

        Assert.Equal(100L << 20, bytes);
        Assert.Equal(stderr.ToString().Split(' ')[0], Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    [Fact]
    public async Task A_hundred_creates_at_once_spread_over_the_hosts_and_each_answer_ok_or_resource_exhausted()
    {
        var burst = cluster.Hosts[0].UniqueName("burst");
        var channels = cluster.Hosts.Select(h => Grpc.Net.Client.GrpcChannel.ForAddress(h.GrpcUrl)).ToArray();
        var auth = new Metadata { { "authorization", $"Bearer {cluster.AdminKey}" } };
        var clock = Stopwatch.StartNew();
        var answers = await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
        {
            var request = new CreateSandboxRequest { Name = $"{burst}-{i}", Options = new SandboxOptions { Labels = { ["burst"] = burst } } };
            try
            {
                var info = await new SandboxesClient(channels[i % 3]).CreateAsync(request, auth, deadline: DateTime.UtcNow.AddSeconds(15));
                return (request.Name, Status: StatusCode.OK, Host: info.Host, Detail: "");
            }
            catch (RpcException e)
            {
                return (request.Name, Status: e.StatusCode, Host: "", Detail: e.Status.Detail);
            }
        }));
        var elapsed = clock.Elapsed;

        using var client = cluster.ClientOf(0);
        try
        {
            Assert.All(answers, a => Assert.True(a.Status is StatusCode.OK or StatusCode.ResourceExhausted, $"{a.Name}: {a.Status} {a.Detail}"));
            var made = answers.Where(a => a.Status == StatusCode.OK).ToArray();
            output.WriteLine($"100 creates at once: {made.Length} made in {elapsed.TotalSeconds:0.0} s ({string.Join(", ", made.GroupBy(a => a.Host).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"))}), {100 - made.Length} refused up front");
            Assert.True(made.Select(a => a.Host).Distinct().Count() >= 2, "a burst landed on one host");

            var listed = (await client.ListAsync(new Dictionary<string, string> { ["burst"] = burst })).ToDictionary(s => s.Name, s => s.Host);
            Assert.Equal(made.ToDictionary(a => a.Name, a => a.Host).OrderBy(p => p.Key), listed.OrderBy(p => p.Key));
        }
        finally
        {
            // Removed with the cluster (by owner label): a burst of destroys is as slow as a
            // burst of creates, since the engine's btrfs driver takes about 2 s to remove one.
            foreach (var channel in channels)
            {
                channel.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_caller_cannot_pose_as_a_silo()
    {
        var grpcPort = new Uri(cluster.Hosts[1].GrpcUrl).Port;
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(cluster.Hosts[1].GrpcUrl);
        var exec = new Protocol.Exec.ExecClient(channel);
        var headers = new Metadata { { "authorization", $"Bearer {cluster.AdminKey}" }, { "sandboxes-cluster-secret", "not-the-secret-of-this-cluster" } };
        var refused = await Assert.ThrowsAsync<RpcException>(() => exec.RunAsync(new ExecRequest { Sandbox = "posing", Command = "true" }, headers).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Contains("cluster secret", refused.Status.Detail, StringComparison.Ordinal);

        using var http = new HttpClient();
        var internalPath = await http.GetAsync($"http://127.0.0.1:{new Uri(cluster.Hosts[1].HttpUrl).Port}/_cluster/terminals/posing");
        Assert.Equal(HttpStatusCode.NotFound, internalPath.StatusCode);
        Assert.NotEqual(0, grpcPort);
    }

    [Fact]
    public async Task A_drained_host_takes_no_new_sandbox_and_keeps_serving_its_own()
    {
        using var client = cluster.ClientOf(0);
        var kept = await client.CreateAsync(cluster.Hosts[0].UniqueName("kept"), new SandboxOptions(), "h3");
        try
        {
            var drained = await client.Hosts.DrainAsync("h3");
            Assert.True(drained.Draining);
            await Task.Delay(HostReportInterval * 2);

            var infos = await Task.WhenAll(Enumerable.Range(0, 9).Select(async i =>
                await (await cluster.ClientOf(i % 3).CreateAsync(cluster.Hosts[0].UniqueName($"fresh{i}"))).GetInfoAsync()));
            Assert.DoesNotContain("h3", infos.Select(i => i.Host));
            var hinted = await (await client.CreateAsync(cluster.Hosts[0].UniqueName("hinted"), new SandboxOptions(), "h3")).GetInfoAsync();
            Assert.NotEqual("h3", hinted.Host);
            Assert.Equal(0, (await kept.ExecAsync("true")).ExitCode);
            Assert.Contains(await client.Hosts.ListAsync(), h => h.Name == "h3" && h.Draining && h.Up);
        }
        finally
        {
            await client.Hosts.UndrainAsync("h3");
        }

        var unknown = await Assert.ThrowsAsync<RpcException>(() => client.Hosts.DrainAsync("no-such-host"));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        var badHint = await Assert.ThrowsAsync<RpcException>(() => client.CreateAsync(cluster.Hosts[0].UniqueName("nowhere"), new SandboxOptions(), "no-such-host"));
        Assert.Equal(StatusCode.InvalidArgument, badHint.StatusCode);
    }

    private static readonly TimeSpan HostReportInterval = TimeSpan.FromSeconds(5);

    /// <summary>The wait a RESOURCE_EXHAUSTED answer suggests ("Retry in N s"), within 1 to 15 s.</summary>
    private static TimeSpan RetryAfter(RpcException refused)
    {
        var hint = System.Text.RegularExpressions.Regex.Match(refused.Status.Detail, @"Retry in (\d+) s");
        var seconds = hint.Success ? int.Parse(hint.Groups[1].Value, CultureInfo.InvariantCulture) : 2;
        return TimeSpan.FromSeconds(Math.Clamp(seconds, 1, 15));
    }

    private static async Task<string> ReceiveUntilAsync(ClientWebSocket socket, string expected, CancellationToken cancellationToken)
    {
        var seen = new StringBuilder();
        var buffer = new byte[64 * 1024];
        while (!seen.ToString().Contains(expected, StringComparison.Ordinal))
        {
            var received = await socket.ReceiveAsync(buffer, cancellationToken);
            Assert.NotEqual(WebSocketMessageType.Close, received.MessageType);
            seen.Append(Encoding.UTF8.GetString(buffer, 0, received.Count));
        }

        return seen.ToString();
    }
}
