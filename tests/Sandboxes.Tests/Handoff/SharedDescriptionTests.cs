using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Sandboxes.Protocol.Agent;
using Sandboxes.Silo.Handoff;
using Sandboxes.Silo.Preview;

namespace Sandboxes.Tests.Handoff;

/// <summary>
/// A preview connection is a TCP socket the sandbox's agent connected and handed over, so the
/// sandbox keeps a descriptor for the same open file description, and with it the O_NONBLOCK
/// flag. A hostile sandbox that clears that flag must not be able to hold a silo thread inside
/// recv() or send(): .NET's Socket tries each async operation once at once and assumes the
/// descriptor cannot block, so a handful of such previews would starve the silo's thread pool,
/// for every tenant. Here the agent and the sandbox's server are this test; the silo's side is
/// the real <see cref="PreviewConnector"/>, and each silo call runs on a thread of its own so
/// that a blocked call is seen (and later released) rather than hanging the test.
/// </summary>
public sealed class SharedDescriptionTests
{
    internal static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan BlockedFor = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_sandbox_that_clears_O_NONBLOCK_cannot_hold_a_silo_thread_in_a_read()
    {
        await using var sandbox = await HostileSandbox.ConnectAsync();
        var sending = sandbox.Connector.Client.SendAsync(sandbox.Request(HttpMethod.Get), CancellationToken.None);
        await sandbox.HandOverAsync();
        await sandbox.ReadRequestHeadAsync();

        sandbox.KeepClearingNonBlocking();
        sandbox.Server.Send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"u8);
        using var response = await sending.WaitAsync(Bound);
        var body = await response.Content.ReadAsStreamAsync();

        // The body is not there yet: the read must give its thread back and wait for the data.
        Task<int>? read = null;
        var returned = OnItsOwnThread(() => read = body.ReadAsync(new byte[5]).AsTask(), BlockedFor);
        sandbox.Server.Send("hello"u8); // releases a blocked thread either way
        Assert.True(returned, $"ReadAsync on a preview connection held its calling thread inside recv() for {BlockedFor.TotalSeconds:0} s once the sandbox cleared O_NONBLOCK");
        Assert.Equal(5, await read!.WaitAsync(Bound));
    }

    [Fact]
    public async Task A_sandbox_that_clears_O_NONBLOCK_cannot_hold_a_silo_thread_in_a_write()
    {
        await using var sandbox = await HostileSandbox.ConnectAsync();
        var upload = new StreamingContent();
        var request = sandbox.Request(HttpMethod.Post);
        request.Content = upload;
        var sending = sandbox.Connector.Client.SendAsync(request, CancellationToken.None);
        await sandbox.HandOverAsync();
        var body = await upload.Stream.WaitAsync(Bound);
        await body.WriteAsync("first"u8.ToArray());
        await body.FlushAsync();
        await sandbox.ReadRequestHeadAsync();

        // From here the sandbox's server never reads, so the socket's buffers fill and a write has to wait.
        sandbox.KeepClearingNonBlocking();
        var chunk = new byte[1 << 20];
        Task? pending = null;
        var returned = OnItsOwnThread(() => pending = WriteUntilOneWaits(body, chunk), Bound);
        sandbox.Server.Dispose(); // resets the connection: releases a blocked thread either way
        Assert.True(returned, $"WriteAsync on a preview connection held its calling thread inside send() for {Bound.TotalSeconds:0} s once the sandbox cleared O_NONBLOCK");
        await Assert.ThrowsAnyAsync<Exception>(() => pending!.WaitAsync(Bound));
        upload.Finish();
        await Assert.ThrowsAnyAsync<Exception>(() => sending.WaitAsync(Bound));
    }

    [Fact]
    public async Task A_sandbox_that_sets_SO_LINGER_and_lets_go_cannot_hold_the_silo_thread_that_closes_the_connection()
    {
        await using var sandbox = await HostileSandbox.ConnectAsync();
        using var handoff = await HandoffConnection.ConnectAsync(sandbox.AgentSocketPath, CancellationToken.None)
            ?? throw new InvalidOperationException("no handoff.sock found");
        var connecting = handoff.ConnectPortAsync(8000, CancellationToken.None);
        await sandbox.HandOverAsync();
        var connection = await connecting.WaitAsync(Bound);

        // The server never reads, so data stays queued and the silo's FIN cannot go; the sandbox
        // asks for a long linger on close, then closes its own descriptor, leaving the silo's the last.
        var pending = WriteUntilOneWaits(connection, new byte[1 << 20]);
        sandbox.LingerAndLetGo(TimeSpan.FromSeconds(60));

        var closed = OnItsOwnThread(connection.Dispose, BlockedFor);
        sandbox.Server.Dispose(); // resets the connection: releases a blocked close either way
        Assert.True(closed, $"closing a preview connection held the silo's thread inside close() for {BlockedFor.TotalSeconds:0} s after the sandbox set SO_LINGER");
        await Assert.ThrowsAnyAsync<Exception>(() => pending.WaitAsync(Bound));
    }

    /// <summary>Writes chunks until one is still waiting a second later (the buffers are full); returns that write.</summary>
    private static Task WriteUntilOneWaits(Stream stream, byte[] chunk)
    {
        for (var chunks = 0; chunks < 64; chunks++)
        {
            var write = stream.WriteAsync(chunk).AsTask();
            if (!write.Wait(TimeSpan.FromSeconds(1)))
            {
                return write;
            }
        }

        throw new InvalidOperationException("64 MiB went into a connection whose reader stopped; its buffers never filled");
    }

    /// <summary>Runs a silo call on a new thread; true when the call gave its thread back within the bound.</summary>
    /// <remarks>A call that does not is released later by the test (data sent, or the connection reset).</remarks>
    private static bool OnItsOwnThread(Action call, TimeSpan bound)
    {
        var done = new ManualResetEventSlim();
        var thread = new Thread(() =>
        {
            try
            {
                call();
            }
            catch (Exception)
            {
                // A call released by the test's clean-up fails; only whether it returned in time counts.
            }
            finally
            {
                done.Set();
            }
        }) { IsBackground = true, Name = "silo call" };
        thread.Start();
        return done.Wait(bound);
    }

    /// <summary>A request body the test writes itself, from whichever thread it chooses.</summary>
    private sealed class StreamingContent : HttpContent
    {
        private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<Stream> Stream => _stream.Task;

        public void Finish() => _finished.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            _stream.TrySetResult(stream);
            await _finished.Task;
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
