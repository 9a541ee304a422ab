using System.Net.Sockets;
using Sandboxes.Networking;
using Sandboxes.Protocol.Agent;

namespace Sandboxes.Benchmarks.Harness;

/// <summary>
/// A TCP connection made inside a sandbox's own network namespace: sandboxd connects to
/// 127.0.0.1:PORT there and hands the socket over on its handoff.sock, as it does for the
/// silo. The baseline for preview URLs: the same server, the same client, no proxy.
/// </summary>
public static class SandboxNetwork
{
    public static async Task<Socket> ConnectAsync(string handoffSocket, int port, CancellationToken cancellationToken)
    {
        using var agent = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await agent.ConnectAsync(new UnixDomainSocketEndPoint(handoffSocket), cancellationToken);
        await FramedMessages.SendAsync(agent, new HandoffRequest { ConnectPort = port }, cancellationToken);
        var buffer = new byte[4096];
        var (read, received) = await ScmRights.ReceiveAsync(agent, buffer, cancellationToken);
        using (received)
        {
            var reply = await FramedMessages.ReceiveAsync(agent, HandoffReply.Parser, buffer.AsMemory(0, read), cancellationToken);
            if (received is null || reply is null || reply.StatusCode != 0)
            {
                throw new InvalidOperationException($"sandboxd did not connect to port {port}: {reply?.Message}");
            }

            var socket = new Socket(new SafeSocketHandle(received.DangerousGetHandle(), ownsHandle: true));
            received.SetHandleAsInvalid();
            return socket;
        }
    }
}
