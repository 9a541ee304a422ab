using Grpc.Core;
using Sandboxes.Client;
using Sandboxes.Protocol;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Sessions;

[Collection(SiloCollection.Name)]
public sealed class SessionTests(SiloFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly TestSilo _silo = fixture.Silo;

    [Fact]
    public async Task Cd_export_and_functions_persist_in_a_session_and_do_not_leak_into_others()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("sess"));
        var a = await box.CreateSessionAsync("a");
        var b = await box.CreateSessionAsync("b", new Dictionary<string, string> { ["ROLE"] = "second" }, "/etc");

        await a.ExecAsync("cd /tmp && export FOO=bar && greet() { echo hi $1; }");
        var inA = await a.ExecAsync("pwd; echo $FOO; greet you");
        var inB = await b.ExecAsync("pwd; echo ${FOO:-unset} $ROLE; type greet >/dev/null 2>&1 || echo no-greet");
        await box.Session("default").ExecAsync("export D=1; cd /var");
        var inDefault = await box.Session("default").ExecAsync("echo $D; pwd");
        var plain = await box.ExecAsync("echo ${D:-unset}; pwd");

        Assert.Equal("/tmp\nbar\nhi you\n", inA.Stdout);
        Assert.Equal("/etc\nunset second\nno-greet\n", inB.Stdout);
        Assert.Equal("1\n/var\n", inDefault.Stdout);
        Assert.Equal("unset\n/root\n", plain.Stdout);
    }

    [Fact]
    public async Task The_env_of_one_call_overrides_only_that_call()
    {
        var session = await _silo.Client.Sandbox(_silo.UniqueName("sessenv")).CreateSessionAsync();
        await session.ExecAsync("export X=base");

        var overridden = await session.ExecAsync("echo $X $Y; sh -c 'echo child $X'", new ExecOptions { Env = new Dictionary<string, string> { ["X"] = "call", ["Y"] = "y" } });
        var after = await session.ExecAsync("echo $X ${Y:-unset}");

        Assert.Equal("call y\nchild call\n", overridden.Stdout);
        Assert.Equal("base unset\n", after.Stdout);
    }

    [Fact]
    public async Task Exit_codes_stderr_streaming_and_timeouts_work_in_a_session_without_losing_its_state()
    {
        var session = await _silo.Client.Sandbox(_silo.UniqueName("sesscode")).CreateSessionAsync();
        await session.ExecAsync("export K=kept");

        var failed = await session.ExecAsync("echo oops >&2; false");
        var events = new List<ExecEvent>();
        await foreach (var e in session.ExecStreamAsync("echo one; echo two >&2; (exit 7)"))
        {
            events.Add(e);
        }

        var timeout = await Assert.ThrowsAsync<ExecTimeoutException>(() => session.ExecAsync("echo started; sleep 1013", new ExecOptions { Timeout = TimeSpan.FromSeconds(1) }));
        var still = await session.ExecAsync("echo $K; pgrep -c -f 'sleep 101[3]' || true");

        Assert.Equal((1, "oops\n"), (failed.ExitCode, failed.Stderr));
        Assert.Equal(ExecEvent.EventOneofCase.Started, events[0].EventCase);
        Assert.Equal(7, events[^1].Exit.ExitCode);
        Assert.Equal("two\n", string.Concat(events.Where(e => e.EventCase == ExecEvent.EventOneofCase.Stderr).Select(e => e.Stderr.ToStringUtf8())));
        Assert.Equal("started\n", timeout.Stdout);
        Assert.Equal("kept\n0\n", still.Stdout);
    }

    [Fact]
    public async Task Sessions_run_concurrently_while_commands_in_one_session_run_one_at_a_time()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("sessconc"));
        var a = await box.CreateSessionAsync("a");
        var b = await box.CreateSessionAsync("b");

        // a blocks until b has run: only possible when the two sessions run side by side.
        var blocked = a.ExecAsync("touch /tmp/a-running; while [ ! -f /tmp/go ]; do sleep 0.05; done; [ -f /tmp/second ] && echo overlap || echo alone");
        await Eventually.WaitAsync(() => box.Files.ExistsAsync("/tmp/a-running"), exists => exists, Bound, "session a's first command to run");
        var queued = a.ExecAsync("touch /tmp/second; echo second");
        var fromB = await b.ExecAsync("touch /tmp/go; echo b");
        var first = await blocked.WaitAsync(Bound);
        var second = await queued.WaitAsync(Bound);

        Assert.Equal("b\n", fromB.Stdout);
        Assert.Equal("alone\n", first.Stdout);
        Assert.Equal("second\n", second.Stdout);
    }

    [Fact]
    public async Task Deleting_a_session_ends_only_that_sessions_processes()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("sessdel"));
        var a = await box.CreateSessionAsync("a");
        var b = await box.CreateSessionAsync("b");
        await a.ExecAsync("sleep 1021 >/dev/null 2>&1 &");
        await b.ExecAsync("sleep 1022 >/dev/null 2>&1 &");

        await a.DeleteAsync();
        await Eventually.WaitAsync(() => box.ExecAsync("pgrep -c -f 'sleep 102[1]' || true"), r => r.Stdout.Trim() == "0", Bound, "session a's sleep to end");
        var gone = await Assert.ThrowsAsync<RpcException>(() => a.ExecAsync("true"));
        var other = await box.ExecAsync("pgrep -c -f 'sleep 102[2]' || true");

        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        Assert.Equal("1\n", other.Stdout);
    }

    [Fact]
    public async Task Session_ids_are_checked()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("sessbad"));
        await box.CreateSessionAsync("taken");

        var unknown = await Assert.ThrowsAsync<RpcException>(() => box.Session("nope").ExecAsync("true"));
        var duplicate = await Assert.ThrowsAsync<RpcException>(() => box.CreateSessionAsync("taken"));
        var invalid = await Assert.ThrowsAsync<RpcException>(() => box.CreateSessionAsync("bad id!"));
        var deleteUnknown = await Assert.ThrowsAsync<RpcException>(() => box.Session("nope").DeleteAsync());
        var badEnv = await Assert.ThrowsAsync<RpcException>(() => box.Session("taken").ExecAsync("true", new ExecOptions { Env = new Dictionary<string, string> { ["1X"] = "v" } }));

        Assert.Equal(
            [StatusCode.NotFound, StatusCode.AlreadyExists, StatusCode.InvalidArgument, StatusCode.NotFound, StatusCode.InvalidArgument],
            new[] { unknown.StatusCode, duplicate.StatusCode, invalid.StatusCode, deleteUnknown.StatusCode, badEnv.StatusCode });
    }

    [Fact]
    public async Task Creating_the_default_session_is_already_exists_before_and_after_its_first_use()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("sessdef"));

        // "default" exists in every sandbox without being created, as the contract says.
        var before = await Assert.ThrowsAsync<RpcException>(() => box.CreateSessionAsync("default", cwd: "/etc"));
        var used = await box.Session("default").ExecAsync("pwd");
        var after = await Assert.ThrowsAsync<RpcException>(() => box.CreateSessionAsync("default"));

        Assert.Equal((StatusCode.AlreadyExists, StatusCode.AlreadyExists), (before.StatusCode, after.StatusCode));
        Assert.Contains("always exists", before.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("/root\n", used.Stdout);
    }
}
