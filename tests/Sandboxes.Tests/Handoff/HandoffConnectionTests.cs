using System.Diagnostics;
using System.IO.Pipes;
using System.Net.Sockets;
using Grpc.Core;
using System.Runtime.InteropServices;
using Sandboxes.Protocol;
using Sandboxes.Protocol.Agent;
using Sandboxes.Silo.Handoff;

namespace Sandboxes.Tests.Handoff;

/// <summary>
/// The silo's side of handoff.sock against a hostile peer (a sandbox can bind its own listener
/// there): every descriptor it sends that the silo does not keep must be closed, only the kind
/// each use needs is kept, and a peer that never answers cannot hold the silo. Descriptors are
/// found again by what they point at (/proc/self/fd), so nothing else open in the process counts.
/// </summary>
public sealed class HandoffConnectionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sbxtest-fds-").FullName;
    private readonly List<SafeHandle> _peerCopies = [];

    private static HandoffRequest Read => new() { Read = new ReadFileRequest { Path = "/etc/hostname" } };

    private static HandoffRequest Write => new() { Write = new WriteFileHeader { Path = "/tmp/x" } };

    [Theory]
    [InlineData(2, "2 descriptors where one was expected")]
    [InlineData(4, "4 descriptors where one was expected")]
    [InlineData(9, "more descriptors than one message may carry")] // past what fits: MSG_CTRUNC
    public async Task Extra_descriptors_are_all_closed_and_the_answer_refused(int count, string reason)
    {
        await using var agent = new HostileAgent();
        var files = Enumerable.Range(0, count).Select(i => OpenFile($"extra-{i}", FileAccess.Read)).ToList();
        using var handoff = await Connect(agent);

        var answering = agent.AnswerAsync(new HandoffReply(), [.. files.Select(f => f.Fd)]);
        var error = await Assert.ThrowsAsync<RpcException>(() => handoff.OpenAsync(Read, CancellationToken.None));
        await answering;

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains(reason, error.Status.Detail, StringComparison.Ordinal);
        AssertNoneLeft([.. files.Select(f => f.Target)]);
    }

    [Fact]
    public async Task A_pipe_is_refused_where_a_file_is_read()
    {
        await using var agent = new HostileAgent();
        var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        _peerCopies.Add(pipe.SafePipeHandle);
        _peerCopies.Add(pipe.ClientSafePipeHandle);
        var fd = (int)pipe.SafePipeHandle.DangerousGetHandle();
        var target = LinkOf(fd);
        using var handoff = await Connect(agent);

        var answering = agent.AnswerAsync(new HandoffReply(), fd);
        var error = await Assert.ThrowsAsync<RpcException>(() => handoff.OpenAsync(Read, CancellationToken.None));
        await answering;

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("handed over a pipe where a regular file open for reading was expected", error.Status.Detail, StringComparison.Ordinal);
        AssertNoneLeft(target);
    }

    [Fact]
    public async Task A_file_open_only_for_reading_is_refused_for_a_write()
    {
        await using var agent = new HostileAgent();
        var (fd, target) = OpenFile("read-only", FileAccess.Read);
        using var handoff = await Connect(agent);

        var answering = agent.AnswerAsync(new HandoffReply(), fd);
        var error = await Assert.ThrowsAsync<RpcException>(() => handoff.OpenAsync(Write, CancellationToken.None));
        await answering;

        Assert.Contains("regular file open for writing was expected", error.Status.Detail, StringComparison.Ordinal);
        AssertNoneLeft(target);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Only_a_tcp_connection_is_taken_for_a_preview(bool unixSocket)
    {
        await using var agent = new HostileAgent();
        int fd;
        if (unixSocket)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            _peerCopies.Add(socket.SafeHandle);
            fd = (int)socket.SafeHandle.DangerousGetHandle();
        }
        else
        {
            fd = OpenFile("not-a-socket", FileAccess.ReadWrite).Fd;
        }

        var target = LinkOf(fd);
        using var handoff = await Connect(agent);

        var answering = agent.AnswerAsync(new HandoffReply(), fd);
        var error = await Assert.ThrowsAsync<RpcException>(() => handoff.ConnectPortAsync(8080, CancellationToken.None));
        await answering;

        Assert.Contains($"handed over {(unixSocket ? "a socket" : "a regular file")} where a TCP connection was expected", error.Status.Detail, StringComparison.Ordinal);
        AssertNoneLeft(target);
    }

    [Fact]
    public async Task One_file_of_the_right_kind_is_kept_and_a_descriptor_sent_with_the_commit_never_arrives()
    {
        await using var agent = new HostileAgent();
        var (fd, target) = OpenFile("upload", FileAccess.Write);
        var (extra, extraTarget) = OpenFile("with-commit", FileAccess.Read);
        using var handoff = await Connect(agent);

        var answering = agent.AnswerAsync(new HandoffReply(), fd);
        var (_, file) = await handoff.OpenAsync(Write, CancellationToken.None);
        await answering;
        using (file)
        {
            await RandomAccess.WriteAsync(file, "written by the silo"u8.ToArray(), 0);
        }

        var confirming = agent.ConfirmCommitAsync(extra);
        await handoff.CommitAsync(19, CancellationToken.None);
        await confirming;

        Assert.Equal("written by the silo", await File.ReadAllTextAsync(target));
        AssertNoneLeft(target, extraTarget);
    }

    [Fact]
    public async Task A_peer_that_never_answers_times_out_with_deadline_exceeded()
    {
        await using var agent = new HostileAgent();
        using var handoff = await HandoffConnection.ConnectAsync(agent.AgentSocketPath, CancellationToken.None, TimeSpan.FromSeconds(1))
            ?? throw new InvalidOperationException("no handoff.sock found");
        var quiet = agent.StayQuietAsync();
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<RpcException>(() => handoff.OpenAsync(Read, CancellationToken.None));
        await quiet;

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Contains("did not answer the handoff request within 1 s", error.Status.Detail, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the silo waited {clock.Elapsed}");
    }

    public void Dispose()
    {
        foreach (var handle in _peerCopies)
        {
            handle.Dispose();
        }

        Directory.Delete(_folder, recursive: true);
    }

    private static async Task<HandoffConnection> Connect(HostileAgent agent) =>
        await HandoffConnection.ConnectAsync(agent.AgentSocketPath, CancellationToken.None) ?? throw new InvalidOperationException("no handoff.sock found");

    /// <summary>A file only this test knows of; the peer's own descriptor for it is closed before any check.</summary>
    private (int Fd, string Target) OpenFile(string name, FileAccess access)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, "");
        var handle = File.OpenHandle(path, FileMode.Open, access);
        _peerCopies.Add(handle);
        var fd = (int)handle.DangerousGetHandle();
        return (fd, LinkOf(fd));
    }

    private static string LinkOf(int fd) => new FileInfo($"/proc/self/fd/{fd}").LinkTarget ?? throw new InvalidOperationException($"fd {fd} has no link");

    /// <summary>Closes the peer's copies, then asserts that no descriptor of this process still points at any target.</summary>
    private void AssertNoneLeft(params string[] targets)
    {
        foreach (var handle in _peerCopies)
        {
            handle.Dispose();
        }

        var left = new List<string>();
        foreach (var fd in Directory.GetFiles("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && targets.Contains(target))
                {
                    left.Add($"{fd} -> {target}");
                }
            }
            catch (IOException)
            {
                // Closed while listing.
            }
        }

        Assert.True(left.Count == 0, $"descriptors left open in the silo: {string.Join(", ", left)}");
    }
}
