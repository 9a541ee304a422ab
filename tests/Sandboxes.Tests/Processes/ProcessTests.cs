using Grpc.Core;
using Sandboxes.Client;
using Sandboxes.Protocol;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Processes;

[Collection(SiloCollection.Name)]
public sealed class ProcessTests(SiloFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly TestSilo _silo = fixture.Silo;

    [Fact]
    public async Task Start_runs_in_its_own_group_and_records_how_it_ended()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("proc"));

        var started = await box.Processes.StartAsync("echo hi; echo err >&2; exit 3", new StartProcessOptions { Id = "job-1" });
        var ok = await box.Processes.StartAsync(["sh", "-c", "echo fine"]);
        var ended = await box.Processes.WaitForExitAsync("job-1", Bound);
        var okEnded = await box.Processes.WaitForExitAsync(ok.Id, Bound);
        var logs = await box.Processes.GetLogsAsync("job-1");
        var list = await box.Processes.ListAsync();

        Assert.Equal(("job-1", "echo hi; echo err >&2; exit 3"), (started.Id, started.Command));

        // So short a command may already have ended by the time the start call returns.
        Assert.Contains(started.Status, new[] { ProcessStatus.Running, ProcessStatus.Failed });
        Assert.True(started.Pid > 0);
        Assert.NotNull(started.StartedAt);
        Assert.Equal((ProcessStatus.Failed, 3), (ended.Status, ended.ExitCode));
        Assert.NotNull(ended.EndedAt);
        Assert.Equal((ProcessStatus.Completed, 0), (okEnded.Status, okEnded.ExitCode));
        Assert.StartsWith("p-", ok.Id, StringComparison.Ordinal);
        Assert.Equal(("hi\n", "err\n", false), (logs.Stdout.ToStringUtf8(), logs.Stderr.ToStringUtf8(), logs.Truncated));
        Assert.Equal(["job-1", ok.Id], list.Select(p => p.Id));
        Assert.Equal(ProcessStatus.Failed, (await box.Processes.GetAsync("job-1")).Status);
    }

    [Fact]
    public async Task A_started_process_is_its_own_process_group_leader()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("pgid"));

        var started = await box.Processes.StartAsync("sleep 1000", new StartProcessOptions { Id = "leader" });
        var pgid = await box.ExecAsync($"ps -o pgid= -p {started.Pid}");
        await box.Processes.KillAsync("leader", "KILL");

        Assert.Equal(started.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), pgid.Stdout.Trim());
    }

    [Fact]
    public async Task Kill_takes_the_whole_tree_grandchildren_included()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("tree"));
        await box.Processes.StartAsync("sleep 1001 & sh -c 'sleep 1002 & setsid sleep 1003 & wait' & wait", new StartProcessOptions { Id = "tree" });
        await Eventually.WaitAsync(() => Count(box, "^sleep 100[123]$"), n => n == 3, Bound, "three sleeps in the tree");

        var killed = await box.Processes.KillAsync("tree");

        Assert.Equal(ProcessStatus.Killed, killed.Status);
        Assert.Equal(0, await Count(box, "^sleep 100[123]$"));
    }

    [Fact]
    public async Task A_process_that_ignores_SIGTERM_gets_SIGKILL_after_the_grace_period()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("stubborn"));
        await box.Processes.StartAsync("trap '' TERM; echo armed; while true; do sleep 1; done", new StartProcessOptions { Id = "stubborn" });
        await box.Processes.WaitForLogAsync("stubborn", "armed", Bound);

        var killed = await box.Processes.KillAsync("stubborn", "TERM");

        Assert.Equal((ProcessStatus.Killed, 9, 137), (killed.Status, killed.Signal, killed.ExitCode));
        Assert.Equal(0, await Count(box, "while tru[e]"));
    }

    [Fact]
    public async Task Kill_all_ends_every_running_process_and_leaves_ended_ones_alone()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("killall"));
        await box.Processes.StartAsync("true", new StartProcessOptions { Id = "done" });
        await box.Processes.WaitForExitAsync("done", Bound);
        await box.Processes.StartAsync("sleep 1007", new StartProcessOptions { Id = "a" });
        await box.Processes.StartAsync("sleep 1008", new StartProcessOptions { Id = "b", Env = new Dictionary<string, string> { ["X"] = "1" }, Cwd = "/tmp" });

        var killed = await box.Processes.KillAllAsync();
        var all = await box.Processes.ListAsync();

        Assert.Equal(["a", "b"], killed.Select(p => p.Id).Order());
        Assert.All(killed, p => Assert.Equal(ProcessStatus.Killed, p.Status));
        Assert.Equal(ProcessStatus.Completed, all.Single(p => p.Id == "done").Status);
    }

    [Fact]
    public async Task A_running_id_cannot_be_reused_until_the_process_ended()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("dupid"));
        await box.Processes.StartAsync("sleep 1009", new StartProcessOptions { Id = "web" });

        var duplicate = await Assert.ThrowsAsync<RpcException>(() => box.Processes.StartAsync("true", new StartProcessOptions { Id = "web" }));
        await box.Processes.KillAsync("web");
        var again = await box.Processes.StartAsync("echo second", new StartProcessOptions { Id = "web" });
        await box.Processes.WaitForExitAsync("web", Bound);

        Assert.Equal(StatusCode.AlreadyExists, duplicate.StatusCode);
        Assert.Equal("web", again.Id);
        Assert.Equal("second\n", (await box.Processes.GetLogsAsync("web")).Stdout.ToStringUtf8());
    }

    [Fact]
    public async Task A_timeout_kills_the_process()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("ptimeout"));
        await box.Processes.StartAsync("sleep 1010", new StartProcessOptions { Id = "slow", Timeout = TimeSpan.FromSeconds(1) });

        var ended = await box.Processes.WaitForExitAsync("slow", Bound);

        Assert.Equal(ProcessStatus.Killed, ended.Status);
    }

    private static async Task<int> Count(Sandbox box, string pattern) =>
        int.Parse((await box.ExecAsync($"pgrep -f '{pattern}' | wc -l")).Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
}
