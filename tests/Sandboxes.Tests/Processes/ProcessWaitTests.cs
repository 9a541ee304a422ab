using Grpc.Core;
using Sandboxes.Client;
using Sandboxes.Protocol;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Processes;

[Collection(SiloCollection.Name)]
public sealed class ProcessWaitTests(SiloFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly TestSilo _silo = fixture.Silo;

    [Fact]
    public async Task Wait_for_log_matches_text_and_regex()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("waitlog"));
        await box.Processes.StartAsync("echo booting; echo 'listening on port 8123' >&2; sleep 1000", new StartProcessOptions { Id = "srv" });

        var byText = await box.Processes.WaitForLogAsync("srv", "listening", Bound);
        var byRegex = await box.Processes.WaitForLogMatchAsync("srv", @"port \d+$", Bound);
        await box.Processes.KillAsync("srv", "KILL");

        Assert.Equal(("listening on port 8123", "listening on port 8123"), (byText, byRegex));
    }

    [Fact]
    public async Task A_wait_on_a_process_that_exits_first_is_failed_precondition_with_code_and_tail()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("waitdead"));
        await box.Processes.StartAsync("echo 'config missing' >&2; exit 2", new StartProcessOptions { Id = "crash" });

        var log = await Assert.ThrowsAsync<RpcException>(() => box.Processes.WaitForLogAsync("crash", "ready", Bound));
        var port = await Assert.ThrowsAsync<RpcException>(() => box.Processes.WaitForPortAsync("crash", 8124, Bound));

        Assert.Equal(StatusCode.FailedPrecondition, log.StatusCode);
        Assert.Contains("code 2", log.Status.Detail);
        Assert.Contains("config missing", log.Status.Detail);
        Assert.Equal(StatusCode.FailedPrecondition, port.StatusCode);
        Assert.Contains("config missing", port.Status.Detail);
    }

    [Fact]
    public async Task Waits_end_with_deadline_exceeded_when_their_timeout_is_up()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("waittime"));
        await box.Processes.StartAsync("sleep 1000", new StartProcessOptions { Id = "quiet" });

        var log = await Assert.ThrowsAsync<RpcException>(() => box.Processes.WaitForLogAsync("quiet", "never", TimeSpan.FromMilliseconds(300)));
        var port = await Assert.ThrowsAsync<RpcException>(() => box.Processes.WaitForPortAsync("quiet", 8125, TimeSpan.FromMilliseconds(300)));
        var exit = await Assert.ThrowsAsync<RpcException>(() => box.Processes.WaitForExitAsync("quiet", TimeSpan.FromMilliseconds(300)));
        await box.Processes.KillAsync("quiet", "KILL");

        Assert.Equal([StatusCode.DeadlineExceeded, StatusCode.DeadlineExceeded, StatusCode.DeadlineExceeded], new[] { log.StatusCode, port.StatusCode, exit.StatusCode });
    }

    [Fact]
    public async Task Wait_for_port_checks_tcp_and_http_from_inside_the_sandbox()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("waitport"));
        await box.Processes.StartAsync("sleep 0.5; exec python3 -m http.server 8126 --bind 127.0.0.1", new StartProcessOptions { Id = "web", Cwd = "/tmp" });

        var tcp = await box.Processes.WaitForPortAsync("web", 8126, Bound);
        var http = await box.Processes.WaitForPortAsync("web", 8126, Bound, PortCheck.Http, "/", 200);
        var notFound = await box.Processes.WaitForPortAsync("web", 8126, Bound, PortCheck.Http, "/missing", 404);
        var wrongStatus = await Assert.ThrowsAsync<RpcException>(() => box.Processes.WaitForPortAsync("web", 8126, TimeSpan.FromSeconds(1), PortCheck.Http, "/missing", 200));
        await box.Processes.KillAsync("web");

        Assert.All([tcp, http, notFound], p => Assert.Equal(ProcessStatus.Running, p.Status));
        Assert.Equal(StatusCode.DeadlineExceeded, wrongStatus.StatusCode);
    }
}
