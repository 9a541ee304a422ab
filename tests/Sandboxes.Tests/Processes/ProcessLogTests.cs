using System.Text;
using Sandboxes.Client;
using Sandboxes.Protocol;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Processes;

[Collection(SiloCollection.Name)]
public sealed class ProcessLogTests(SiloFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly TestSilo _silo = fixture.Silo;

    [Fact]
    public async Task Stream_replays_then_follows_live_with_heartbeats_and_ends_with_exit()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("follow"));
        await box.Processes.StartAsync("echo before; while [ ! -f /tmp/go ]; do sleep 0.05; done; echo after >&2; exit 4", new StartProcessOptions { Id = "f" });
        await box.Processes.WaitForLogAsync("f", "before", Bound);
        using var cancel = new CancellationTokenSource(Bound);
        var events = new List<LogEvent>();

        await foreach (var e in box.Processes.StreamLogsAsync("f", fromStart: true, cancel.Token))
        {
            events.Add(e);
            if (e.EventCase == LogEvent.EventOneofCase.Heartbeat && !events.Take(events.Count - 1).Any(x => x.EventCase == LogEvent.EventOneofCase.Heartbeat))
            {
                await box.ExecAsync("touch /tmp/go");
            }
        }

        Assert.Equal("before\n", events[0].Stdout.ToStringUtf8());
        Assert.Contains(events, e => e.EventCase == LogEvent.EventOneofCase.Heartbeat);
        Assert.Equal("after\n", events.Single(e => e.EventCase == LogEvent.EventOneofCase.Stderr).Stderr.ToStringUtf8());
        Assert.Equal((ProcessStatus.Failed, 4), (events[^1].Exit.Status, events[^1].Exit.ExitCode));
    }

    [Fact]
    public async Task Logs_keep_the_most_recent_output_under_the_size_cap()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("logcap"));

        // About 21 MiB of numbered lines, more than the 16 MiB cap.
        await box.Processes.StartAsync("seq -w 1 800000 | sed 's/$/ padding-to-ten-bytes/'; echo THE-END", new StartProcessOptions { Id = "big" });
        await box.Processes.WaitForExitAsync("big", Bound);
        var logs = await box.Processes.GetLogsAsync("big");

        Assert.True(logs.Truncated);
        Assert.InRange(logs.Stdout.Length, 8 << 20, 16 << 20);
        Assert.EndsWith("800000 padding-to-ten-bytes\nTHE-END\n", logs.Stdout.ToStringUtf8(), StringComparison.Ordinal);

        // A stream from the start says where output is missing before it sends what is kept.
        await using var stream = box.Processes.StreamLogsAsync("big").GetAsyncEnumerator();
        Assert.True(await stream.MoveNextAsync());
        Assert.Equal(LogEvent.EventOneofCase.Gap, stream.Current.EventCase);
        Assert.True(stream.Current.Gap.DroppedSegments >= 1);
        Assert.True(await stream.MoveNextAsync());
        Assert.Equal(LogEvent.EventOneofCase.Stdout, stream.Current.EventCase);
    }

    [Fact]
    public async Task A_client_that_reconnects_after_a_silo_restart_gets_the_whole_log_and_the_process_never_noticed()
    {
        await using var silo = new TestSilo();
        await silo.StartAsync();
        var box = silo.Client.Sandbox(silo.UniqueName("relog"));
        await box.Processes.StartAsync("i=0; while [ ! -f /tmp/stop ]; do i=$((i+1)); echo line$i; sleep 0.02; done; echo end", new StartProcessOptions { Id = "talker" });
        var seen = new StringBuilder();
        await using (var stream = box.Processes.StreamLogsAsync("talker").GetAsyncEnumerator())
        {
            while (!seen.ToString().Contains("line20\n", StringComparison.Ordinal) && await stream.MoveNextAsync())
            {
                seen.Append(stream.Current.Stdout.ToStringUtf8());
            }

            await silo.RestartAsync();
            await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                while (await stream.MoveNextAsync())
                {
                }
            });
        }

        await box.ExecAsync("touch /tmp/stop");
        var replay = new StringBuilder();
        LogEvent? exit = null;
        await foreach (var e in box.Processes.StreamLogsAsync("talker", fromStart: true))
        {
            replay.Append(e.Stdout.ToStringUtf8());
            exit = e.EventCase == LogEvent.EventOneofCase.Exit ? e : exit;
        }

        var lines = replay.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("end", lines[^1]);
        Assert.Equal(Enumerable.Range(1, lines.Length - 1).Select(i => $"line{i}"), lines[..^1]);
        Assert.StartsWith(seen.ToString(), replay.ToString(), StringComparison.Ordinal);
        Assert.Equal((ProcessStatus.Completed, 0), (exit!.Exit.Status, exit.Exit.ExitCode));
    }
}
