using Sandboxes.Silo.Containers;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Security;

/// <summary>
/// Sandboxes run on the product's own engine, which remaps users: root inside is an
/// unprivileged host user, the host folders mounted in are that user's and private, and
/// nothing a sandbox prints lands in a Docker log on the host.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class EngineConfinementTests(SiloFixture fixture)
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PassThrough = Private | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
    private const UnixFileMode SetUser = UnixFileMode.SetUser;

    private const string AskProxy = """
        import socket
        s = socket.create_connection(("127.0.0.1", 3128), timeout=20)
        s.sendall(b"GET http://not-allowed.invalid/ HTTP/1.1\r\nHost: not-allowed.invalid\r\n\r\n")
        print(s.recv(200).decode().splitlines()[0])
        """;

    private readonly TestSilo _silo = fixture.Silo;

    [Fact]
    public async Task A_setuid_shell_made_inside_belongs_to_an_unprivileged_host_user_in_a_private_folder()
    {
        var name = _silo.UniqueName("setuid");
        var box = _silo.Client.Sandbox(name);
        var root = await RemappedRootAsync();

        var made = await box.ExecAsync("cp /bin/sh /.sandboxes/run/x && chmod 4755 /.sandboxes/run/x && echo made");

        Assert.Equal("made\n", made.Stdout);
        var boxes = Path.Combine(_silo.DataRoot, "boxes");
        var copy = await HostFile.StatAsync(Path.Combine(boxes, name, "x"));
        Assert.True(copy.Mode.HasFlag(SetUser), "the sandbox could set the setuid bit on its own file");
        Assert.NotEqual(0, copy.Uid);
        Assert.Equal(root.Uid, copy.Uid);
        Assert.Equal(new HostFile(root.Uid, root.Gid, Private), await HostFile.StatAsync(Path.Combine(boxes, name)));
        Assert.Equal(new HostFile(0, 0, PassThrough), await HostFile.StatAsync(boxes));
    }

    [Fact]
    public async Task The_socket_folder_is_a_small_tmpfs_so_writes_there_never_reach_the_host_disk()
    {
        var name = _silo.UniqueName("runfill");
        var box = _silo.Client.Sandbox(name);

        var filled = await box.ExecAsync("dd if=/dev/zero of=/.sandboxes/run/fill bs=1M count=8 2>&1; echo status=$?");
        var inodes = await box.ExecAsync("rm -f /.sandboxes/run/fill; for i in $(seq 1 200); do touch /.sandboxes/run/f$i 2>/dev/null || { echo stopped at $i; break; }; done");
        var after = await box.ExecAsync("rm -f /.sandboxes/run/f*; echo alive");

        Assert.Contains("No space left on device", filled.Stdout, StringComparison.Ordinal);
        Assert.Contains("stopped at", inodes.Stdout, StringComparison.Ordinal);
        Assert.Equal("alive\n", after.Stdout);
        var folder = Path.Combine(_silo.DataRoot, "boxes", name);
        Assert.Contains(File.ReadLines("/proc/self/mounts"), line => line.Split(' ') is [_, var point, "tmpfs", ..] && point == folder);
    }

    [Fact]
    public async Task Root_inside_is_the_remapped_host_user()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("uidmap"));
        var root = await RemappedRootAsync();

        var map = await box.ExecAsync("id -u; cat /proc/self/uid_map");

        var lines = map.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("0", lines[0]);
        var fields = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["0", root.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture)], fields[..2]);
    }

    [Fact]
    public async Task The_egress_folder_is_private_to_the_sandbox_and_its_proxy_still_answers()
    {
        var name = _silo.UniqueName("egressdir");
        var box = _silo.Client.Sandbox(name);
        var root = await RemappedRootAsync();

        // The silo's refusal (403, no host is allowed here) proves sandboxd reached the silo's
        // socket through the private folder; an unreachable socket would be sandboxd's 502.
        var proxy = await box.ExecAsync(["python3", "-c", AskProxy]);

        var egress = Path.Combine(_silo.DataRoot, "egress");
        Assert.Equal(new HostFile(root.Uid, root.Gid, Private), await HostFile.StatAsync(Path.Combine(egress, name)));
        Assert.Equal(new HostFile(0, 0, PassThrough), await HostFile.StatAsync(egress));
        Assert.StartsWith("HTTP/1.1 403", proxy.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Output_written_to_pid_1_leaves_no_docker_log_on_the_host()
    {
        var name = _silo.UniqueName("nolog");
        var box = _silo.Client.Sandbox(name);

        var written = await box.ExecAsync("head -c 50000000 /dev/zero > /proc/1/fd/1 && echo written");

        Assert.Equal("written\n", written.Stdout);
        var container = Assert.Single(await _silo.OwnedContainersAsync(name));
        var inspect = await _silo.Docker.Containers.InspectContainerAsync(container.ID);
        Assert.Equal("none", inspect.HostConfig!.LogConfig!.Type);
        Assert.True(string.IsNullOrEmpty(inspect.LogPath), $"the container has a log at '{inspect.LogPath}'");
    }

    private async Task<RemappedRoot> RemappedRootAsync() =>
        RemappedRoot.FromEngine(await _silo.Docker.System.GetSystemInfoAsync())
        ?? throw new InvalidOperationException($"the engine at {TestEnvironment.DockerEndpoint} does not remap users; run the tests through .ci/test-host.sh");
}
