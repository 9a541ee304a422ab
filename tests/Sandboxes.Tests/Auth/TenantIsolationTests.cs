using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Sandboxes.Client;
using Sandboxes.Protocol;
using Sandboxes.Silo.Auth;
using Sandboxes.Tests.Egress;
using Sandboxes.Tests.Infrastructure;
using Sandboxes.Tests.Preview;

namespace Sandboxes.Tests.Auth;

/// <summary>
/// Two tenants, each with a sandbox of the same name: every RPC of every service, called with
/// one tenant's key, reaches only that tenant's sandbox, and says nothing of the other's:
/// names, process, context, session and terminal ids, watched paths, ports and clones. The
/// console and the terminal WebSocket too. Only a preview URL (a bearer URL) reaches across.
/// Runs on the egress fixture's silo, whose allow-list reaches the test's git server.
/// </summary>
[Collection(EgressCollection.Name)]
public sealed class TenantIsolationTests(EgressFixture fixture) : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly TestSilo _silo = fixture.Silo;
    private readonly PreviewBrowser _browser = new(fixture.Silo.HttpUrl);
    private readonly HashSet<string> _covered = [];
    private readonly List<string> _failures = [];

    public void Dispose() => _browser.Dispose();

    [Fact]
    public async Task Every_rpc_reaches_only_the_callers_own_tenants_sandbox()
    {
        var (acmeKey, acmeTenant, acme) = await TenantAsync("acme");
        var (globexKey, globexTenant, globex) = await TenantAsync("globex");
        using var disposeAcme = acme;
        using var disposeGlobex = globex;
        var shared = _silo.UniqueName("same-name");
        var onlyAcme = _silo.UniqueName("only-acme");

        // Acme's sandbox, full of things another tenant must not see or touch.
        var a = await acme.CreateAsync(shared, new SandboxOptions { Env = { ["SECRET"] = "acme-secret" }, Labels = { ["team"] = "acme" } });
        await acme.CreateAsync(onlyAcme);
        await a.Files.WriteTextAsync("/root/secret.txt", "acme's file");
        await a.Files.MakeDirectoryAsync("/root/acme-only");
        await a.Files.WriteTextAsync("/srv/site/who.txt", "acme", new WriteFileOptions { MakeParents = true });
        await a.Processes.StartAsync(["python3", "-m", "http.server", "8000", "--bind", "127.0.0.1", "--directory", "/srv/site"], new StartProcessOptions { Id = "acme-web" });
        await a.Processes.WaitForPortAsync("acme-web", 8000, Bound);
        var acmeContext = await a.CreateCodeContextAsync();
        await a.RunCodeAsync("acme_value = 42", new RunCodeOptions { ContextId = acmeContext.Id });
        await a.CreateSessionAsync("acme-session");
        await using var acmeTerminal = await a.OpenTerminalAsync(new TerminalOptions { Id = "acme-term" });
        var acmeUrl = (await a.ExposePortAsync(8000)).Url;

        // Globex's sandbox of the same name is its own.
        var g = await globex.CreateAsync(shared, new SandboxOptions { Env = { ["SECRET"] = "globex-secret" } });

        await Check("sandboxes.v1.Sandboxes.Create", async () =>
        {
            Assert.Equal(shared, (await globex.Sandbox(shared).GetInfoAsync()).Name);
            Assert.Equal("globex-secret", (await g.ExecAsync("printf %s \"$SECRET\"")).Stdout);
            Assert.Equal("acme-secret", (await a.ExecAsync("printf %s \"$SECRET\"")).Stdout);
        });
        await Check("sandboxes.v1.Sandboxes.Get", () => NotFoundAsync(() => globex.Sandbox(onlyAcme).GetInfoAsync()));
        await Check("sandboxes.v1.Sandboxes.List", async () =>
        {
            var globexNames = (await globex.ListAsync()).Select(s => s.Name).ToList();
            Assert.Equal([shared], globexNames);
            Assert.Empty(await globex.ListAsync(new Dictionary<string, string> { ["team"] = "acme" }));
            Assert.Equal([onlyAcme, shared], (await acme.ListAsync()).Select(s => s.Name).Order(StringComparer.Ordinal));
        });
        await Check("sandboxes.v1.Sandboxes.SetSleepPolicy", () => NotFoundAsync(() => globex.Sandbox(onlyAcme).SetSleepPolicyAsync(TimeSpan.FromMinutes(5))));
        await Check("sandboxes.v1.Sandboxes.Destroy", async () =>
        {
            Assert.False(await globex.Sandbox(onlyAcme).DestroyAsync());
            Assert.Equal(onlyAcme, (await acme.Sandbox(onlyAcme).GetInfoAsync()).Name);
        });

        await Check("sandboxes.v1.Exec.Run", async () => Assert.NotEqual(0, (await g.ExecAsync("cat /root/secret.txt")).ExitCode));
        await Check("sandboxes.v1.Exec.Stream", async () =>
        {
            var output = new List<string>();
            await foreach (var e in g.ExecStreamAsync("ls /root; echo done"))
            {
                if (e.EventCase == ExecEvent.EventOneofCase.Stdout)
                {
                    output.Add(e.Stdout.ToStringUtf8());
                }
            }

            Assert.DoesNotContain("secret.txt", string.Concat(output), StringComparison.Ordinal);
        });

        await Check("sandboxes.v1.Files.Read", () => NotFoundAsync(() => g.Files.ReadTextAsync("/root/secret.txt")));
        await Check("sandboxes.v1.Files.Stat", () => NotFoundAsync(() => g.Files.StatAsync("/root/secret.txt")));
        await Check("sandboxes.v1.Files.Exists", async () => Assert.False(await g.Files.ExistsAsync("/root/secret.txt")));
        await Check("sandboxes.v1.Files.List", async () => Assert.DoesNotContain(await g.Files.ListAsync("/root"), e => e.Name == "secret.txt"));
        await Check("sandboxes.v1.Files.Write", async () =>
        {
            await g.Files.WriteTextAsync("/root/secret.txt", "globex's file");
            Assert.Equal("acme's file", await a.Files.ReadTextAsync("/root/secret.txt"));
        });
        await Check("sandboxes.v1.Files.Move", async () =>
        {
            await g.Files.MoveAsync("/root/secret.txt", "/root/moved.txt");
            Assert.True(await a.Files.ExistsAsync("/root/secret.txt"));
        });
        await Check("sandboxes.v1.Files.Delete", async () =>
        {
            Assert.False(await g.Files.DeleteAsync("/root/acme-only", recursive: true));
            Assert.True(await a.Files.ExistsAsync("/root/acme-only"));
        });
        await Check("sandboxes.v1.Files.MakeDirectory", async () =>
        {
            await g.Files.MakeDirectoryAsync("/root/globex-only");
            Assert.False(await a.Files.ExistsAsync("/root/globex-only"));
        });

        // Process ids are the caller's own: acme's "acme-web" does not exist for globex.
        await Check("sandboxes.v1.Processes.Get", () => NotFoundAsync(() => g.Processes.GetAsync("acme-web")));
        await Check("sandboxes.v1.Processes.GetLogs", () => NotFoundAsync(() => g.Processes.GetLogsAsync("acme-web")));
        await Check("sandboxes.v1.Processes.StreamLogs", () => NotFoundAsync(async () =>
        {
            await foreach (var _ in g.Processes.StreamLogsAsync("acme-web"))
            {
            }
        }));
        await Check("sandboxes.v1.Processes.WaitForLog", () => NotFoundAsync(() => g.Processes.WaitForLogAsync("acme-web", "x", TimeSpan.FromSeconds(5))));
        await Check("sandboxes.v1.Processes.WaitForPort", () => NotFoundAsync(() => g.Processes.WaitForPortAsync("acme-web", 8000, TimeSpan.FromSeconds(5))));
        await Check("sandboxes.v1.Processes.WaitForExit", () => NotFoundAsync(() => g.Processes.WaitForExitAsync("acme-web", TimeSpan.FromSeconds(5))));
        await Check("sandboxes.v1.Processes.Kill", () => NotFoundAsync(() => g.Processes.KillAsync("acme-web")));
        await Check("sandboxes.v1.Processes.List", async () => Assert.DoesNotContain(await g.Processes.ListAsync(), p => p.Id == "acme-web"));
        await Check("sandboxes.v1.Processes.Start", async () =>
        {
            await g.Processes.StartAsync("sleep 300", new StartProcessOptions { Id = "globex-sleep" });
            Assert.DoesNotContain(await a.Processes.ListAsync(), p => p.Id == "globex-sleep");
        });
        await Check("sandboxes.v1.Processes.KillAll", async () =>
        {
            await g.Processes.KillAllAsync();
            Assert.Equal(ProcessStatus.Running, (await a.Processes.GetAsync("acme-web")).Status);
        });

        await Check("sandboxes.v1.Sessions.List", async () => Assert.DoesNotContain(await g.ListSessionsAsync(), s => s.Id == "acme-session"));
        await Check("sandboxes.v1.Sessions.Delete", () => NotFoundAsync(() => g.Session("acme-session").DeleteAsync()));
        await Check("sandboxes.v1.Sessions.Create", async () =>
        {
            await g.CreateSessionAsync("acme-session");
            Assert.Contains(await a.ListSessionsAsync(), s => s.Id == "acme-session");
        });

        await Check("sandboxes.v1.Watches.Watch", () => NotFoundAsync(async () =>
        {
            using var stop = new CancellationTokenSource(Bound);
            await foreach (var _ in g.WatchAsync("/root/acme-only", cancellationToken: stop.Token))
            {
                break;
            }
        }));

        await Check("sandboxes.v1.Ports.List", async () => Assert.Empty(await g.GetExposedPortsAsync()));
        await Check("sandboxes.v1.Ports.Unexpose", async () =>
        {
            Assert.False(await g.UnexposePortAsync(8000));
            Assert.Single(await a.GetExposedPortsAsync());
        });
        await Check("sandboxes.v1.Ports.Expose", async () =>
        {
            await g.Files.WriteTextAsync("/srv/site/who.txt", "globex", new WriteFileOptions { MakeParents = true });
            await g.Processes.StartAsync(["python3", "-m", "http.server", "8000", "--bind", "127.0.0.1", "--directory", "/srv/site"], new StartProcessOptions { Id = "globex-web" });
            await g.Processes.WaitForPortAsync("globex-web", 8000, Bound);
            var globexUrl = (await g.ExposePortAsync(8000)).Url;
            Assert.NotEqual(acmeUrl, globexUrl);

            // Each URL names its tenant and reaches its own sandbox's server; a URL with the
            // other tenant's name in it is just a wrong token.
            using var http = _browser.Http;
            Assert.Equal("acme", await http.GetStringAsync(acmeUrl + "who.txt"));
            Assert.Equal("globex", await http.GetStringAsync(globexUrl + "who.txt"));
            var crossed = acmeUrl.Replace($"--{acmeTenant}.", $"--{globexTenant}.", StringComparison.Ordinal);
            Assert.NotEqual(acmeUrl, crossed);
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(crossed + "who.txt")).StatusCode);
        });

        await Check("sandboxes.v1.Terminals.List", async () => Assert.DoesNotContain(await g.ListTerminalsAsync(), t => t.Id == "acme-term"));
        await Check("sandboxes.v1.Terminals.Connect", () => NotFoundAsync(async () =>
        {
            await using var attached = await g.AttachTerminalAsync("acme-term");
        }));

        await Check("sandboxes.v1.Git.Checkout", async () =>
        {
            await g.GitCheckoutAsync(fixture.Git.GitUrl, new GitCheckoutOptions { TargetDir = "/root/globex-repo" });
            Assert.True(await g.Files.ExistsAsync("/root/globex-repo/README.md"));
            Assert.False(await a.Files.ExistsAsync("/root/globex-repo"));
        });

        await Check("sandboxes.v1.CodeInterpreter.ListContexts", async () => Assert.DoesNotContain(await g.ListCodeContextsAsync(), c => c.Id == acmeContext.Id));
        await Check("sandboxes.v1.CodeInterpreter.RunCode", () => NotFoundAsync(() => g.RunCodeAsync("acme_value", new RunCodeOptions { ContextId = acmeContext.Id })));
        await Check("sandboxes.v1.CodeInterpreter.RunCodeStream", () => NotFoundAsync(async () =>
        {
            await foreach (var _ in g.RunCodeStreamAsync("acme_value", new RunCodeOptions { ContextId = acmeContext.Id }))
            {
            }
        }));
        await Check("sandboxes.v1.CodeInterpreter.DeleteContext", async () =>
        {
            Assert.False(await g.DeleteCodeContextAsync(acmeContext.Id));
            Assert.Equal("42", Assert.Single((await a.RunCodeAsync("acme_value", new RunCodeOptions { ContextId = acmeContext.Id })).Results).Text);
        });
        await Check("sandboxes.v1.CodeInterpreter.CreateContext", async () =>
        {
            var own = await g.CreateCodeContextAsync();
            Assert.DoesNotContain(await a.ListCodeContextsAsync(), c => c.Id == own.Id);
        });

        foreach (var method in new[] { "Create", "List", "Revoke" })
        {
            await Check($"sandboxes.v1.Keys.{method}", () => Assert.ThrowsAsync<RpcException>(() => method switch
            {
                "Create" => globex.Keys.CreateAsync(globexTenant),
                "List" => globex.Keys.ListAsync(),
                _ => globex.Keys.RevokeAsync(acmeKey.Info.Id),
            }).ContinueWith(t => Assert.Equal(StatusCode.PermissionDenied, t.Result.StatusCode), TaskScheduler.Default));
        }

        // Hosts are the operator's: a tenant's key neither sees nor drains them.
        foreach (var method in new[] { "List", "Drain", "Undrain" })
        {
            await Check($"sandboxes.v1.Hosts.{method}", () => Assert.ThrowsAsync<RpcException>(() => method switch
            {
                "List" => globex.Hosts.ListAsync(),
                "Drain" => globex.Hosts.DrainAsync("any"),
                _ => globex.Hosts.UndrainAsync("any"),
            }).ContinueWith(t => Assert.Equal(StatusCode.PermissionDenied, t.Result.StatusCode), TaskScheduler.Default));
        }

        await ConsoleAndTerminalSocketAreScopedAsync(globexKey.Key, shared, onlyAcme);

        var uncovered = RawCalls.AllMethods().Select(m => m.FullName).Where(m => !_covered.Contains(m)).ToList();
        Assert.True(uncovered.Count == 0, $"RPCs with no cross-tenant check: {string.Join(", ", uncovered)}");
        Assert.True(_failures.Count == 0, string.Join("\n", _failures));
    }

    [Fact]
    public async Task The_longest_tenant_and_sandbox_names_still_fit_the_hosts_socket_paths()
    {
        var tenant = _silo.UniqueName(new string('t', TenantName.MaxLength - 7));
        var key = await _silo.Client.Keys.CreateAsync(tenant, description: "long names");
        using var client = new SandboxClient(_silo.GrpcUrl, key.Key);
        var name = _silo.UniqueName(new string('n', SandboxName.MaxLength - 7));

        var box = client.Sandbox(name);
        Assert.Equal("fits", (await box.ExecAsync("printf fits")).Stdout);

        var folder = Path.Combine(_silo.DataRoot, "boxes", new SandboxKey(tenant, name).LocalName);
        Assert.Matches($"^{tenant}_[0-9a-f]{{20}}$", Path.GetFileName(folder));
        Assert.True(Directory.Exists(folder), $"{folder} does not exist");
        Assert.True(await box.DestroyAsync());
        Assert.False(Directory.Exists(folder), $"{folder} outlived its sandbox");
    }

    [Theory]
    [InlineData("Not-A-Label")]
    [InlineData("two--dashes")]
    [InlineData("a-tenant-name-longer-than-32-chars")]
    public async Task A_tenant_name_that_cannot_name_host_folders_or_previews_is_an_invalid_argument(string tenant)
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() => _silo.Client.Keys.CreateAsync(tenant));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("tenant name", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_key_belongs_to_the_default_tenant()
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() => _silo.Client.Keys.CreateAsync("acme", admin: true));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("admin key", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stored_admin_key_of_another_tenant_is_a_plain_key_and_a_stored_bad_tenant_is_unauthenticated()
    {
        // Written under the API, as an early build of it could: admin keys of any tenant, any tenant name.
        var store = _silo.Services.GetRequiredService<ApiKeyStore>();
        var (acmeAdmin, _) = await store.CreateAsync(_silo.UniqueName("acme"), admin: true, "stored by an early build", TimeProvider.System, CancellationToken.None);
        var (badTenant, _) = await store.CreateAsync("two--dashes", admin: false, "stored by an early build", TimeProvider.System, CancellationToken.None);

        using var asAdmin = new SandboxClient(_silo.GrpcUrl, acmeAdmin.ToString());
        var denied = await Assert.ThrowsAsync<RpcException>(() => asAdmin.Keys.CreateAsync(SandboxKey.DefaultTenant, admin: true));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        await asAdmin.ListAsync();

        using var asBadTenant = new SandboxClient(_silo.GrpcUrl, badTenant.ToString());
        var refused = await Assert.ThrowsAsync<RpcException>(() => asBadTenant.ListAsync());
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }

    private async Task ConsoleAndTerminalSocketAreScopedAsync(string globexKey, string shared, string onlyAcme)
    {
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        await Check("console: list", async () =>
        {
            using var list = new HttpRequestMessage(HttpMethod.Get, $"{_silo.HttpUrl}/console/api/sandboxes");
            list.Headers.Authorization = new AuthenticationHeaderValue("Bearer", globexKey);
            var body = await (await http.SendAsync(list)).Content.ReadAsStringAsync();
            var names = JsonDocument.Parse(body).RootElement.GetProperty("sandboxes").EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToList();
            Assert.Equal([shared], names);
        });
        await Check("console: ports", async () =>
        {
            using var ports = new HttpRequestMessage(HttpMethod.Get, $"{_silo.HttpUrl}/console/api/sandboxes/{onlyAcme}/ports");
            ports.Headers.Authorization = new AuthenticationHeaderValue("Bearer", globexKey);
            Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(ports)).StatusCode);
        });
        await Check("terminal websocket", async () =>
        {
            using var socket = new System.Net.WebSockets.ClientWebSocket();
            socket.Options.SetRequestHeader("authorization", $"Bearer {globexKey}");
            using var stop = new CancellationTokenSource(Bound);
            await socket.ConnectAsync(new Uri($"{_silo.HttpUrl.Replace("http", "ws", StringComparison.Ordinal)}/terminals/{shared}?attach=acme-term"), stop.Token);
            var buffer = new byte[4096];
            while (socket.State == System.Net.WebSockets.WebSocketState.Open)
            {
                var received = await socket.ReceiveAsync(buffer, stop.Token);
                if (received.MessageType == System.Net.WebSockets.WebSocketMessageType.Close)
                {
                    break;
                }
            }

            Assert.Contains("NotFound", socket.CloseStatusDescription, StringComparison.Ordinal);
        });
    }

    /// <summary>A client of a new tenant: names are unique per run, so runs never share one.</summary>
    private async Task<(CreatedKey Key, string Tenant, SandboxClient Client)> TenantAsync(string prefix)
    {
        var tenant = _silo.UniqueName(prefix);
        var key = await _silo.Client.Keys.CreateAsync(tenant, description: "tenant isolation test");
        return (key, tenant, new SandboxClient(_silo.GrpcUrl, key.Key));
    }

    private static async Task NotFoundAsync(Func<Task> call)
    {
        var refused = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(refused.StatusCode == StatusCode.NotFound, $"expected NotFound, got {refused.StatusCode}: {refused.Status.Detail}");
    }

    /// <summary>Runs one check and records its failure rather than stopping, so one run names every leak.</summary>
    private async Task Check(string what, Func<Task> check)
    {
        _covered.Add(what);
        try
        {
            await check();
        }
        catch (Exception e)
        {
            _failures.Add($"{what}: {e.GetType().Name}: {e.Message}");
        }
    }
}
