using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Sandboxes.Protocol.Agent;
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
    private const int FGetFl = 3;
    private const int FSetFl = 4;
    private const int ONonBlock = 0x800;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
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

    /// <summary>
    /// The sandbox's side: an agent at handoff.sock, a server listening on loopback, and the
    /// sandbox's own descriptor for the connection it hands over.
    /// </summary>
    private sealed class HostileSandbox : IAsyncDisposable
    {
        private readonly HostileAgent _agent = new();
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly Socket _handedOver = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly CancellationTokenSource _stop = new();
        private Task _clearing = Task.CompletedTask;

        private HostileSandbox()
        {
        }

        public PreviewConnector Connector { get; } = new();

        public Socket Server { get; private set; } = null!;

        private int Descriptor => (int)_handedOver.SafeHandle.DangerousGetHandle();

        private PreviewRoute Route => new(new AgentEndpoint(_agent.AgentSocketPath, "g1"), 8000);

        public static async Task<HostileSandbox> ConnectAsync()
        {
            var sandbox = new HostileSandbox();
            sandbox._listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            sandbox._listener.Listen(1);
            await sandbox._handedOver.ConnectAsync(sandbox._listener.LocalEndPoint!);
            sandbox.Server = await sandbox._listener.AcceptAsync();
            return sandbox;
        }

        public HttpRequestMessage Request(HttpMethod method)
        {
            var request = new HttpRequestMessage(method, PreviewConnector.Destination(Route) + "page");
            request.Options.Set(PreviewConnector.RouteKey, Route);
            return request;
        }

        /// <summary>Answers the silo's handoff request with the connection, keeping the sandbox's own descriptor.</summary>
        public Task HandOverAsync() => _agent.AnswerAsync(new HandoffReply(), Descriptor).WaitAsync(Bound);

        public async Task ReadRequestHeadAsync()
        {
            var head = new StringBuilder();
            var buffer = new byte[1];
            using var timeout = new CancellationTokenSource(Bound);
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                Assert.True(await Server.ReceiveAsync(buffer, timeout.Token) == 1, $"the silo closed the connection after: {head}");
                head.Append((char)buffer[0]);
            }
        }

        /// <summary>
        /// What root in the sandbox can do to the description it shares with the silo: clear
        /// O_NONBLOCK, and again each time the silo sets it, until the test ends (at most a minute).
        /// </summary>
        public void KeepClearingNonBlocking()
        {
            ClearNonBlocking();
            _clearing = Task.Run(async () =>
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                while (!_stop.IsCancellationRequested && clock.Elapsed < TimeSpan.FromMinutes(1))
                {
                    ClearNonBlocking();
                    try
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(5), _stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            });
        }

        private void ClearNonBlocking()
        {
            var flags = Fcntl(Descriptor, FGetFl, 0);
            Assert.True(flags >= 0 && Fcntl(Descriptor, FSetFl, flags & ~ONonBlock) == 0, $"fcntl failed: errno {Marshal.GetLastPInvokeError()}");
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _clearing;
            Connector.Dispose();
            Server?.Dispose();
            _handedOver.Dispose();
            _listener.Dispose();
            await _agent.DisposeAsync();
            _stop.Dispose();
        }
    }

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static extern int Fcntl(int fd, int command, int argument);
}
