using System.Net.Sockets;
using Grpc.Core;
using Microsoft.Win32.SafeHandles;
using Sandboxes.Networking;
using Sandboxes.Silo.Agents;
using Sandboxes.Protocol.Agent;

namespace Sandboxes.Silo.Handoff;

/// <summary>
/// One request on an agent's handoff.sock: the agent opens a file (or connects a socket inside
/// the sandbox) and passes its descriptor, and the silo uses it directly. The agent is as untrusted as the sandbox, so
/// only a regular file is taken; anything it could open, the sandbox could use anyway.
/// </summary>
public sealed class HandoffConnection : IDisposable
{
    public const string SocketName = "handoff.sock";
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);

    private readonly Socket _socket;

    private HandoffConnection(Socket socket) => _socket = socket;

    /// <summary>Null when the agent has no handoff socket (it predates it); the caller then uses gRPC.</summary>
    public static async Task<HandoffConnection?> ConnectAsync(string agentSocketPath, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetDirectoryName(agentSocketPath) ?? "/", SocketName);
        Socket? socket;
        try
        {
            // The folder is writable from inside the sandbox: never follow a planted symlink.
            socket = await SandboxSocket.TryConnectAsync(path, cancellationToken);
        }
        catch (IOException e)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
        catch (SocketException)
        {
            return null;
        }

        return socket is null ? null : new HandoffConnection(socket);
    }

    /// <summary>Asks the agent to open a file; its refusal becomes an RpcException with the agent's status.</summary>
    public async Task<(HandoffReply Reply, SafeFileHandle File)> OpenAsync(HandoffRequest request, CancellationToken cancellationToken)
    {
        var (reply, received) = await RequestAsync(request, cancellationToken);
        using (received)
        {
            if (!Descriptors.IsOfType(received, Descriptors.RegularFile))
            {
                throw new RpcException(new Status(StatusCode.Internal, "the sandbox's agent handed over something that is not a regular file"));
            }

            return (reply, Descriptors.Keep(received));
        }
    }

    /// <summary>A TCP socket connected to 127.0.0.1:<paramref name="port"/> inside the sandbox.</summary>
    public async Task<Socket> ConnectPortAsync(int port, CancellationToken cancellationToken)
    {
        var (_, received) = await RequestAsync(new HandoffRequest { ConnectPort = port }, cancellationToken);
        using (received)
        {
            if (!Descriptors.IsOfType(received, Descriptors.Socket))
            {
                throw new RpcException(new Status(StatusCode.Internal, "the sandbox's agent handed over something that is not a socket"));
            }

            var handle = new SafeSocketHandle(received.DangerousGetHandle(), ownsHandle: true);
            received.SetHandleAsInvalid();
            return new Socket(handle);
        }
    }

    private async Task<(HandoffReply Reply, SafeFileHandle Received)> RequestAsync(HandoffRequest request, CancellationToken cancellationToken)
    {
        using var timeout = Bounded(cancellationToken);
        await FramedMessages.SendAsync(_socket, request, timeout.Token);
        var buffer = new byte[64 * 1024];
        var (read, fd) = await ScmRights.ReceiveAsync(_socket, buffer, timeout.Token);
        var received = fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : null;
        try
        {
            if (read <= 0)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "the sandbox's agent closed the handoff without an answer; retry"));
            }

            var reply = await FramedMessages.ReceiveAsync(_socket, HandoffReply.Parser, buffer.AsMemory(0, read), timeout.Token)
                ?? throw new RpcException(new Status(StatusCode.Unavailable, "the sandbox's agent closed the handoff mid-answer; retry"));
            Check(reply);
            return (reply, received ?? throw new RpcException(new Status(StatusCode.Internal, "the sandbox's agent answered without a descriptor")));
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
        using var timeout = Bounded(cancellationToken);
        await FramedMessages.SendAsync(_socket, new HandoffCommit { Size = size }, timeout.Token);
        var reply = await FramedMessages.ReceiveAsync(_socket, HandoffReply.Parser, default, timeout.Token)
            ?? throw new RpcException(new Status(StatusCode.Unavailable, "the sandbox's agent closed the file handoff before confirming the write; retry"));
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

    private static CancellationTokenSource Bounded(CancellationToken cancellationToken)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(AnswerTimeout);
        return timeout;
    }
}
