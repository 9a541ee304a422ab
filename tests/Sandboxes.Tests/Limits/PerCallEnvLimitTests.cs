using Grpc.Core;
using Sandboxes.Protocol;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Limits;

/// <summary>
/// The environment limits hold for every request that passes an env to a process, not only
/// for a sandbox's spec; an env over them is refused as the request is read, before any
/// sandbox is woken or created.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class PerCallEnvLimitTests(SiloFixture fixture)
{
    private readonly TestSilo _silo = fixture.Silo;

    [Fact]
    public async Task Every_request_with_an_env_keeps_the_env_limits()
    {
        using var channel = _silo.Channel();
        var sandbox = _silo.UniqueName("env-limit");
        var tooMany = Enumerable.Range(0, 129).ToDictionary(i => $"V{i}", _ => "x");
        var tooBig = new Dictionary<string, string> { ["BIG"] = new string('k', 64 << 10) };
        var failures = new List<string>();

        foreach (var (env, setting) in new[] { (tooMany, "Limits:MaxEnvCount"), (tooBig, "Limits:MaxEnvBytes") })
        {
            var calls = new (string What, Func<Task> Call)[]
            {
                ("Exec.Run", () => new Protocol.Exec.ExecClient(channel).RunAsync(new ExecRequest { Sandbox = sandbox, Argv = { "true" }, Env = { env } }).ResponseAsync),
                ("Exec.Stream", async () =>
                {
                    using var call = new Protocol.Exec.ExecClient(channel).Stream();
                    await call.RequestStream.WriteAsync(new ExecInput { Start = new ExecRequest { Sandbox = sandbox, Argv = { "true" }, Env = { env } } });
                    await call.RequestStream.CompleteAsync();
                    await foreach (var _ in call.ResponseStream.ReadAllAsync())
                    {
                    }
                }),
                ("Processes.Start", () => new Protocol.Processes.ProcessesClient(channel).StartAsync(new StartProcessRequest { Sandbox = sandbox, Argv = { "true" }, Env = { env } }).ResponseAsync),
                ("Sessions.Create", () => new Protocol.Sessions.SessionsClient(channel).CreateAsync(new CreateSessionRequest { Sandbox = sandbox, Env = { env } }).ResponseAsync),
                ("CodeInterpreter.CreateContext", () => new Protocol.CodeInterpreter.CodeInterpreterClient(channel).CreateContextAsync(new CreateCodeContextRequest { Sandbox = sandbox, Env = { env } }).ResponseAsync),
                ("Terminals.Connect", async () =>
                {
                    using var call = new Protocol.Terminals.TerminalsClient(channel).Connect();
                    await call.RequestStream.WriteAsync(new TerminalInput { Open = new OpenTerminal { Sandbox = sandbox, Env = { env } } });
                    await foreach (var _ in call.ResponseStream.ReadAllAsync())
                    {
                    }
                }),
            };
            foreach (var (what, call) in calls)
            {
                try
                {
                    await call();
                    failures.Add($"{what} with {setting} exceeded: OK");
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument && e.Status.Detail.Contains(setting, StringComparison.Ordinal))
                {
                }
                catch (RpcException e)
                {
                    failures.Add($"{what} with {setting} exceeded: {e.StatusCode} {e.Status.Detail}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Empty(await _silo.OwnedContainersAsync(sandbox));
    }
}
