using System.Text;
using Grpc.Core;
using Sandboxes.Client;
using Sandboxes.Protocol;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Exec;

[Collection(SiloCollection.Name)]
public sealed class ExecTests(SiloFixture fixture)
{
    private readonly TestSilo _silo = fixture.Silo;

    [Fact]
    public async Task Exec_returns_output_and_exit_code()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("exec"));

        var ok = await box.ExecAsync("python3 -c 'print(1)'");
        var failed = await box.ExecAsync("echo oops >&2; exit 3");

        Assert.Equal((0, "1\n"), (ok.ExitCode, ok.Stdout));
        Assert.Equal((3, "oops\n"), (failed.ExitCode, failed.Stderr));
    }

    [Fact]
    public async Task Exec_uses_env_and_cwd()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("env"));
        await box.Files.MakeDirectoryAsync("/work/project");

        var result = await box.ExecAsync(
            ["sh", "-c", "echo \"$GREETING $WHO\"; pwd"],
            new ExecOptions { Env = new Dictionary<string, string> { ["GREETING"] = "hello", ["WHO"] = "world" }, Cwd = "/work/project" });

        Assert.Equal("hello world\n/work/project\n", result.Stdout);
    }

    [Fact]
    public async Task Stream_delivers_events_in_order_with_stdout_and_stderr_separate()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("order"));
        var events = new List<ExecEvent>();

        await foreach (var e in box.ExecStreamAsync("for i in 1 2 3; do echo out$i; echo err$i >&2; sleep 0.05; done; exit 7"))
        {
            events.Add(e);
        }

        Assert.Equal(ExecEvent.EventOneofCase.Started, events[0].EventCase);
        Assert.Equal(ExecEvent.EventOneofCase.Exit, events[^1].EventCase);
        Assert.Equal(7, events[^1].Exit.ExitCode);
        var stdout = string.Concat(events.Where(e => e.EventCase == ExecEvent.EventOneofCase.Stdout).Select(e => e.Stdout.ToStringUtf8()));
        var stderr = string.Concat(events.Where(e => e.EventCase == ExecEvent.EventOneofCase.Stderr).Select(e => e.Stderr.ToStringUtf8()));
        Assert.Equal("out1\nout2\nout3\n", stdout);
        Assert.Equal("err1\nerr2\nerr3\n", stderr);
    }

    [Fact]
    public async Task Stdin_streams_into_the_command()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("stdin"));
        await using var session = box.StartExec(["sh", "-c", "while read line; do echo \"got $line\"; done; echo done"]);

        await session.WriteStdinAsync(Encoding.UTF8.GetBytes("one\n"));
        await session.WriteStdinAsync(Encoding.UTF8.GetBytes("two\n"));
        await session.CloseStdinAsync();
        var output = new StringBuilder();
        var exitCode = -1;
        await foreach (var e in session.Events)
        {
            if (e.EventCase == ExecEvent.EventOneofCase.Stdout)
            {
                output.Append(e.Stdout.ToStringUtf8());
            }
            else if (e.EventCase == ExecEvent.EventOneofCase.Exit)
            {
                exitCode = e.Exit.ExitCode;
            }
        }

        Assert.Equal("got one\ngot two\ndone\n", output.ToString());
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task Unary_exec_passes_stdin_bytes()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("unary-stdin"));
        byte[] binary = [0, 1, 2, 255, 254, 10];

        var result = await box.ExecAsync(["cat"], new ExecOptions { Stdin = binary });

        Assert.Equal(binary, result.StdoutBytes);
    }

    [Fact]
    public async Task Timeout_kills_the_whole_process_tree_including_children_that_ignore_sigterm()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("timeout"));
        const string tree = "trap '' TERM; echo started; (trap '' TERM; exec sleep 1001) & sleep 1002";

        var error = await Assert.ThrowsAsync<ExecTimeoutException>(() => box.ExecAsync(tree, new ExecOptions { Timeout = TimeSpan.FromSeconds(1) }));

        Assert.Equal("started\n", error.Stdout);
        await Eventually.WaitAsync(
            () => box.ExecAsync("ps -eo args | grep -c '^sleep 100[12]' || true"),
            r => r.Stdout.Trim() == "0",
            TimeSpan.FromSeconds(10),
            "the timed-out process tree to be gone");
    }

    [Fact]
    public async Task Streamed_timeout_ends_with_deadline_exceeded_after_the_output_so_far()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("stream-timeout"));
        var stdout = new StringBuilder();

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var e in box.ExecStreamAsync("echo before; sleep 30", new ExecOptions { Timeout = TimeSpan.FromMilliseconds(700) }))
            {
                stdout.Append(e.Stdout.ToStringUtf8());
            }
        });

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Equal("before\n", stdout.ToString());
    }

    [Fact]
    public async Task A_quiet_command_gets_heartbeats_so_the_stream_never_dies_silently()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("quiet"));
        var kinds = new List<ExecEvent.EventOneofCase>();

        await foreach (var e in box.ExecStreamAsync("sleep 6"))
        {
            kinds.Add(e.EventCase);
        }

        Assert.Contains(ExecEvent.EventOneofCase.Heartbeat, kinds);
        Assert.Equal(ExecEvent.EventOneofCase.Exit, kinds[^1]);
    }

    [Fact]
    public async Task Many_parallel_commands_in_one_sandbox_all_complete()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("parallel"));
        await box.ExecAsync("true");

        var results = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => box.ExecAsync($"sleep 1; echo {i}")));

        Assert.Equal(Enumerable.Range(0, 24).Select(i => $"{i}\n"), results.Select(r => r.Stdout));
    }
}
