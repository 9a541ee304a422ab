using Grpc.Core;
using Sandboxes.Client;
using Sandboxes.Protocol;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Watch;

[Collection(SiloCollection.Name)]
public sealed class WatchTests(SiloFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly TestSilo _silo = fixture.Silo;

    [Fact]
    public async Task Watch_reports_every_kind_of_change_with_its_path_and_skips_git_and_node_modules()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("watch"));
        await box.Files.MakeDirectoryAsync("/root/w/.git");
        await box.Files.MakeDirectoryAsync("/root/w/node_modules/pkg");

        var changes = await CollectAsync(
            box,
            "/root/w",
            null,
            "echo a > /root/w/f; echo b >> /root/w/f; chmod 600 /root/w/f; mv /root/w/f /root/w/g; rm /root/w/g; "
            + "echo x > /root/w/.git/HEAD; touch /root/w/node_modules/pkg/index.js; mkdir -p /root/w/sub/deep; echo y > /root/w/sub/deep/new; touch /root/w/last",
            c => c.Path == "/root/w/last");

        Assert.Contains(changes, c => c is { Type: ChangeType.Create, Path: "/root/w/f" });
        Assert.Contains(changes, c => c is { Type: ChangeType.Attrib, Path: "/root/w/f" });
        var from = Assert.Single(changes, c => c.Type == ChangeType.MoveFrom);
        var to = Assert.Single(changes, c => c.Type == ChangeType.MoveTo);
        Assert.Equal(("/root/w/f", "/root/w/g", from.Cookie), (from.Path, to.Path, to.Cookie));
        Assert.Contains(changes, c => c is { Type: ChangeType.Delete, Path: "/root/w/g" });
        Assert.Contains(changes, c => c is { Type: ChangeType.Create, Path: "/root/w/sub", IsDirectory: true });
        Assert.Contains(changes, c => c is { Type: ChangeType.Create, Path: "/root/w/sub/deep/new" } or { Type: ChangeType.Modify, Path: "/root/w/sub/deep/new" });
        Assert.DoesNotContain(changes, c => c.Path.Contains("/.git", StringComparison.Ordinal) || c.Path.Contains("node_modules", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Watching_a_folder_while_1000_files_are_created_reports_every_file()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("watchmany"));
        await box.Files.MakeDirectoryAsync("/root/many");
        var expected = Enumerable.Range(1, 1000).Select(i => $"/root/many/f{i}").ToHashSet();

        var changes = await CollectAsync(
            box,
            "/root/many",
            null,
            "for i in $(seq 1 1000); do echo $i > /root/many/f$i; done; touch /root/many/done",
            c => c.Path == "/root/many/done");

        var created = changes.Where(c => c.Type == ChangeType.Create).Select(c => c.Path).ToHashSet();
        Assert.Superset(expected, created);
        Assert.All(changes.GroupBy(c => c.Path), g => Assert.NotEqual(ChangeType.Delete, g.Last().Type));
    }

    [Fact]
    public async Task Include_and_exclude_globs_filter_what_is_reported()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("watchglob"));
        await box.Files.MakeDirectoryAsync("/root/g/build");

        var changes = await CollectAsync(
            box,
            "/root/g",
            new WatchOptions { Include = ["*.txt"], Exclude = ["build"] },
            "touch /root/g/a.txt /root/g/b.log /root/g/build/c.txt; mkdir -p /root/g/src; touch /root/g/src/d.txt /root/g/z.txt",
            c => c.Path == "/root/g/z.txt");

        Assert.Equal(["/root/g/a.txt", "/root/g/src/d.txt", "/root/g/z.txt"], changes.Select(c => c.Path).Distinct().Order());
    }

    [Fact]
    public async Task A_quiet_watch_gets_heartbeats_and_a_missing_path_is_not_found()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("watchbeat"));
        await box.Files.MakeDirectoryAsync("/root/quiet");
        using var cancel = new CancellationTokenSource(Bound);

        var kinds = new List<WatchEvent.EventOneofCase>();
        await foreach (var e in box.WatchAsync("/root/quiet", cancellationToken: cancel.Token))
        {
            kinds.Add(e.EventCase);
            if (e.EventCase == WatchEvent.EventOneofCase.Heartbeat)
            {
                break;
            }
        }

        var missing = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var e in box.WatchAsync("/root/no-such-dir"))
            {
            }
        });

        Assert.Equal([WatchEvent.EventOneofCase.Ready, WatchEvent.EventOneofCase.Heartbeat], kinds);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    /// <summary>Watches, runs <paramref name="command"/> once the watch is ready, and collects changes until <paramref name="last"/> is seen.</summary>
    [Fact]
    public async Task A_flat_watch_reports_only_the_directorys_own_entries()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("watchflat"));
        await box.Files.MakeDirectoryAsync("/root/flat/sub");

        // WatchRequest.flat replaced `optional bool recursive`; the SDK keeps Recursive = false.
        var changes = await CollectAsync(
            box,
            "/root/flat",
            new WatchOptions { Recursive = false },
            "echo x > /root/flat/sub/deep; echo y > /root/flat/top; touch /root/flat/last",
            c => c.Path == "/root/flat/last");

        Assert.Contains(changes, c => c is { Type: ChangeType.Create, Path: "/root/flat/top" });
        Assert.DoesNotContain(changes, c => c.Path.StartsWith("/root/flat/sub/", StringComparison.Ordinal));
    }

    private static async Task<List<FileChange>> CollectAsync(Sandbox box, string path, WatchOptions? options, string command, Func<FileChange, bool> last)
    {
        using var cancel = new CancellationTokenSource(Bound);
        var changes = new List<FileChange>();
        Task<CommandResult>? run = null;
        await foreach (var e in box.WatchAsync(path, options, cancel.Token))
        {
            if (e.EventCase == WatchEvent.EventOneofCase.Ready)
            {
                run = box.ExecAsync(command);
            }
            else if (e.EventCase == WatchEvent.EventOneofCase.Change)
            {
                changes.Add(e.Change);
                if (last(e.Change))
                {
                    break;
                }
            }
        }

        Assert.Equal(0, (await run!).ExitCode);
        return changes;
    }
}
