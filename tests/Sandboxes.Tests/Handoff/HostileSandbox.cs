using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Sandboxes.Protocol.Agent;
using Sandboxes.Silo.Preview;

namespace Sandboxes.Tests.Handoff;

/// <summary>
/// The sandbox's side: an agent at handoff.sock, a server listening on loopback, and the
/// sandbox's own descriptor for the connection it hands over.
/// </summary>
internal sealed class HostileSandbox : IAsyncDisposable
{
    private const int FGetFl = 3;
    private const int FSetFl = 4;
    private const int ONonBlock = 0x800;
    private const int SolSocket = 1;
    private const int SoLinger = 13;
    private static readonly TimeSpan Bound = SharedDescriptionTests.Bound;

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

    public string AgentSocketPath => _agent.AgentSocketPath;

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
    /// Sets SO_LINGER (a socket option: the silo's descriptor sees it too) and closes the
    /// sandbox's own descriptor, so that the silo's close is the last one and would wait.
    /// </summary>
    public void LingerAndLetGo(TimeSpan linger)
    {
        var option = new[] { 1, (int)linger.TotalSeconds };
        Assert.True(SetSockOpt(Descriptor, SolSocket, SoLinger, option, sizeof(int) * 2) == 0, $"setsockopt failed: errno {Marshal.GetLastPInvokeError()}");
        _handedOver.Dispose();
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

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static extern int Fcntl(int fd, int command, int argument);

    [DllImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static extern int SetSockOpt(int fd, int level, int option, int[] value, int length);
}
