using Grpc.Core;
using Sandboxes.Client;
using Sandboxes.Protocol;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.BadInput;

/// <summary>Processes, sessions and watches refuse bad input with a status that says what to fix.</summary>
[Collection(SiloCollection.Name)]
public sealed class ProcessBadInputTests(SiloFixture fixture)
{
    private readonly TestSilo _silo = fixture.Silo;

    [Fact]
    public async Task Unknown_ids_bad_ids_signals_regexes_and_ports_get_clear_statuses()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("badproc"));
        await box.Processes.StartAsync("sleep 1000", new StartProcessOptions { Id = "real" });
        var timeout = TimeSpan.FromSeconds(5);

        var cases = new (StatusCode Code, string Hint, Func<Task> Call)[]
        {
            (StatusCode.NotFound, "no process", () => box.Processes.GetAsync("ghost")),
            (StatusCode.NotFound, "no process", () => box.Processes.GetLogsAsync("ghost")),
            (StatusCode.NotFound, "no process", () => box.Processes.KillAsync("ghost")),
            (StatusCode.InvalidArgument, "A-Z", () => box.Processes.StartAsync("true", new StartProcessOptions { Id = "has space" })),
            (StatusCode.InvalidArgument, "A-Z", () => box.Processes.StartAsync("true", new StartProcessOptions { Id = new string('x', 65) })),
            (StatusCode.InvalidArgument, "unknown signal", () => box.Processes.KillAsync("real", "SIGBOGUS")),
            (StatusCode.InvalidArgument, "regex", () => box.Processes.WaitForLogMatchAsync("real", "([unclosed", timeout)),
            (StatusCode.InvalidArgument, "port", () => box.Processes.WaitForPortAsync("real", 70000, timeout)),
            (StatusCode.InvalidArgument, "path", () => box.Processes.WaitForPortAsync("real", 80, timeout, PortCheck.Http, "no-slash")),
            (StatusCode.NotFound, "not found", () => box.Processes.StartAsync(["no-such-program-xyz"])),
            (StatusCode.InvalidArgument, "exactly one", () => box.Processes.StartAsync("")),
            (StatusCode.NotFound, "session", () => box.ExecAsync("true", new ExecOptions { Session = "ghost" })),
        };

        foreach (var (code, hint, call) in cases)
        {
            var error = await Assert.ThrowsAsync<RpcException>(call);
            Assert.True(error.StatusCode == code && error.Status.Detail.Contains(hint, StringComparison.OrdinalIgnoreCase), $"expected {code} with '{hint}', got {error.StatusCode}: {error.Status.Detail}");
        }

        Assert.Equal(ProcessStatus.Running, (await box.Processes.GetAsync("real")).Status);
        await box.Processes.KillAsync("real", "KILL");
    }
}
