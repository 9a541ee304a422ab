using System.Net.Sockets;
using Grpc.Core;
using Microsoft.Win32.SafeHandles;
using Sandboxes.Networking;
using Sandboxes.Silo.Agents;
using Sandboxes.Protocol.Agent;

namespace Sandboxes.Silo.Handoff;

/// <summary>
/// One request on an agent's handoff.sock: the agent opens a file (or connects a socket inside
/// the sandbox) and passes its descriptor, and the silo uses it directly. The agent is as
/// untrusted as the sandbox (which can also bind its own listener at handoff.sock), so the
/// silo takes exactly one descriptor per answer, closes any other, takes only the kind the
/// request is for (a regular file open for reading or for writing, or a TCP connection), and
/// waits a bounded time for each step. Anything it could open, the sandbox could use anyway.
/// </summary>
public sealed class HandoffConnection : IDisposable
{
    public const string SocketName = "handoff.sock";
    public static readonly TimeSpan DefaultAnswerTimeout = TimeSpan.FromSeconds(30);

    private readonly Socket _socket;
    private readonly TimeSpan _answerTimeout;

    private HandoffConnection(Socket socket, TimeSpan answerTimeout) => (_socket, _answerTimeout) = (socket, answerTimeout);

    /// <summary>
    /// Null when the agent has no handoff socket (it predates it); the caller then uses gRPC.
    /// Each step (connecting, each answer) may take at most <paramref name="answerTimeout"/>
    /// (30 s unless given); past it the call fails with DeadlineExceeded.
    /// </summary>
    public static async Task<HandoffConnection?> ConnectAsync(string agentSocketPath, CancellationToken cancellationToken, TimeSpan? answerTimeout = null)
    {
        var path = Path.Combine(Path.GetDirectoryName(agentSocketPath) ?? "/", SocketName);
        var bound = answerTimeout ?? DefaultAnswerTimeout;
        using var timeout = Bounded(bound, cancellationToken);
        Socket? socket;
        try
        {
            // The folder is writable from inside the sandbox: never follow a planted symlink.
            socket = await SandboxSocket.TryConnectAsync(path, timeout.Token);
        }
        catch (IOException e)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
        catch (SocketException)
        {
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(bound, "accept the handoff connection");
        }

        return socket is null ? null : new HandoffConnection(socket, bound);
    }

    /// <summary>Asks the agent to open a file; its refusal becomes an RpcException with the agent's status.</summary>
    public async Task<(HandoffReply Reply, SafeFileHandle File)> OpenAsync(HandoffRequest request, CancellationToken cancellationToken)
    {
        var use = request.RequestCase == HandoffRequest.RequestOneofCase.Write ? FileAccess.Write : FileAccess.Read;
        var (reply, received) = await RequestAsync(request, cancellationToken);
        using (received)
        {
            if (!Descriptors.IsFileFor(received, use))
            {
                throw Misbehaved($"handed over {Descriptors.Describe(received)} where a regular file open for {(use == FileAccess.Write ? "writing" : "reading")} was expected");
            }

            return (reply, Descriptors.Keep(received));
        }
    }

    /// <summary>
    /// A TCP connection to 127.0.0.1:<paramref name="port"/> inside the sandbox. It is never a
    /// .NET <see cref="Socket"/>: the sandbox shares its O_NONBLOCK flag (see <see cref="HandedOverSocketStream"/>).
    /// </summary>
    public async Task<HandedOverSocketStream> ConnectPortAsync(int port, CancellationToken cancellationToken)
    {
        var (_, received) = await RequestAsync(new HandoffRequest { ConnectPort = port }, cancellationToken);
        using (received)
        {
            if (!Descriptors.IsTcpConnection(received))
            {
                throw Misbehaved($"handed over {Descriptors.Describe(received)} where a TCP connection was expected");
            }

            return new HandedOverSocketStream(Descriptors.Keep(received));
        }
    }

    private async Task<(HandoffReply Reply, SafeFileHandle Received)> RequestAsync(HandoffRequest request, CancellationToken cancellationToken)
    {
        using var timeout = Bounded(_answerTimeout, cancellationToken);
        SafeFileHandle? received = null;
        try
        {
            await FramedMessages.SendAsync(_socket, request, timeout.Token);
            var buffer = new byte[64 * 1024];
            (var read, received) = await ScmRights.ReceiveAsync(_socket, buffer, timeout.Token);
            if (read <= 0)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "the sandbox's agent closed the handoff without an answer; retry"));
            }

            var reply = await FramedMessages.ReceiveAsync(_socket, HandoffReply.Parser, buffer.AsMemory(0, read), timeout.Token)
                ?? throw new RpcException(new Status(StatusCode.Unavailable, "the sandbox's agent closed the handoff mid-answer; retry"));
            Check(reply);
            return (reply, received ?? throw Misbehaved("answered without a descriptor"));
        }
        catch (Exception e) when (e is not RpcException)
        {
            received?.Dispose();
            if (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw TimedOut(_answerTimeout, "answer the handoff request");
            }

            if (e is InvalidDataException or Google.Protobuf.InvalidProtocolBufferException)
            {
                throw Misbehaved($"answered the handoff with something other than one reply and one descriptor ({e.Message})");
            }

            throw;
        }
        catch
        {
            received?.Dispose();
            throw;
        }
    }

    /// <summary>Tells the agent the write is whole; returns the target's entry once it is in place.</summary>
    public async Task<HandoffReply> CommitAsync(long size, CancellationToken cancellationToken)
    {
        using var timeout = Bounded(_answerTimeout, cancellationToken);
        HandoffReply reply;
        try
        {
            await FramedMessages.SendAsync(_socket, new HandoffCommit { Size = size }, timeout.Token);

            // A plain read: a descriptor sent with this answer is never installed (the kernel drops it).
            reply = await FramedMessages.ReceiveAsync(_socket, HandoffReply.Parser, default, timeout.Token)
                ?? throw new RpcException(new Status(StatusCode.Unavailable, "the sandbox's agent closed the file handoff before confirming the write; retry"));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(_answerTimeout, "confirm the write");
        }
        catch (Exception e) when (e is InvalidDataException or Google.Protobuf.InvalidProtocolBufferException)
        {
            throw Misbehaved($"answered the commit with something other than a reply ({e.Message})");
        }

        Check(reply);
        return reply;
    }

    public void Dispose() => _socket.Dispose();

    private static void Check(HandoffReply reply)
    {
        if (reply.StatusCode != 0)
        {
            throw new RpcException(new Status((StatusCode)reply.StatusCode, reply.Message));
        }
    }

    private static CancellationTokenSource Bounded(TimeSpan bound, CancellationToken cancellationToken)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(bound);
        return timeout;
    }

    private static RpcException TimedOut(TimeSpan bound, string what) =>
        new(new Status(StatusCode.DeadlineExceeded, $"the sandbox's agent did not {what} within {bound.TotalSeconds:0.#} s; retry, or restart the sandbox if it keeps happening"));

    /// <summary>The agent broke the handoff protocol: a sandbox that replaced it, or a broken one.</summary>
    private static RpcException Misbehaved(string what) =>
        new(new Status(StatusCode.FailedPrecondition, $"the sandbox's agent {what}; it was refused and closed (restart the sandbox if this persists)"));
}
