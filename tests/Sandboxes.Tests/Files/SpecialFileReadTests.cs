using Grpc.Core;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Files;

/// <summary>
/// Files.Read reads regular files only. Anything else is refused with a status that names
/// the file's type and tells no client to retry; a read that fails inside the sandbox is
/// the sandbox's file failing, not the host's storage.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class SpecialFileReadTests(SiloFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly TestSilo _silo = fixture.Silo;

    [Theory]
    [InlineData("/dev/zero", "character device")]
    [InlineData("/dev/urandom", "character device")]
    [InlineData("/tmp/special/fifo", "FIFO")]
    [InlineData("/tmp/special/socket", "socket")]
    [InlineData("/tmp/special/link-to-zero", "character device")]
    public async Task A_device_fifo_or_socket_is_failed_precondition_naming_its_type(string path, string type)
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("special"));
        var made = await box.ExecAsync(
            "mkdir -p /tmp/special && cd /tmp/special && mkfifo fifo && ln -s /dev/zero link-to-zero "
            + "&& python3 -c \"import socket; socket.socket(socket.AF_UNIX).bind('/tmp/special/socket')\"");
        Assert.Equal("", made.Stderr);
        using var cancel = new CancellationTokenSource(Bound);

        // A FIFO once blocked the agent in open() until a writer came: the bound ends that.
        var error = await Assert.ThrowsAsync<RpcException>(() => box.Files.ReadAllBytesAsync(path, cancel.Token));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains(type, error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("not a regular file", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_that_fails_inside_the_sandbox_is_failed_precondition_not_unavailable()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("procmem"));
        using var cancel = new CancellationTokenSource(Bound);

        // A regular file to stat, but reading it at offset 0 fails with EIO (nothing is mapped there).
        var error = await Assert.ThrowsAsync<RpcException>(() => box.Files.ReadAllBytesAsync("/proc/1/mem", cancel.Token));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("/proc/1/mem", error.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("could not store", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Regular_files_in_proc_and_behind_symlinks_still_read()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("procread"));
        await box.ExecAsync("printf hello > /tmp/target && ln -s /tmp/target /tmp/link");

        var linked = await box.Files.ReadTextAsync("/tmp/link");
        var version = await box.Files.ReadTextAsync("/proc/version");

        Assert.Equal("hello", linked);
        Assert.StartsWith("Linux version", version, StringComparison.Ordinal);
    }
}
