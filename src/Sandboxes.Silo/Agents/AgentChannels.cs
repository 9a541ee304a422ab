using System.Collections.Concurrent;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using Sandboxes.Networking;
using Sandboxes.Protocol.Agent;

namespace Sandboxes.Silo.Agents;

/// <summary>
/// One cached connection per running agent. A container restart gives the agent a new
/// generation, and the old connection is dropped rather than left to fail once.
/// </summary>
public sealed class AgentChannels : IDisposable
{
    private readonly ConcurrentDictionary<string, AgentConnection> _connections = new();

    public AgentConnection Get(AgentEndpoint endpoint)
    {
        while (true)
        {
            var connection = _connections.GetOrAdd(endpoint.SocketPath, _ => Open(endpoint));
            if (connection.Endpoint.Generation == endpoint.Generation)
            {
                return connection;
            }

            if (_connections.TryRemove(new KeyValuePair<string, AgentConnection>(endpoint.SocketPath, connection)))
            {
                connection.Dispose();
            }
        }
    }

    public void Forget(string socketPath)
    {
        if (_connections.TryRemove(socketPath, out var connection))
        {
            connection.Dispose();
        }
    }

    /// <summary>Polls the agent until it answers, within <paramref name="timeout"/>.</summary>
    public async Task<AgentStatus> WaitUntilReadyAsync(AgentEndpoint endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (File.Exists(endpoint.SocketPath))
            {
                try
                {
                    return await Get(endpoint).Agent.StatusAsync(new StatusRequest(), deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: cancellationToken);
                }
                catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal)
                {
                    last = e;
                    Forget(endpoint.SocketPath);
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken);
        }

        throw new SandboxException(SandboxError.Unavailable, $"the sandbox agent did not answer within {timeout.TotalSeconds:0}s ({last?.Message ?? "no socket"})");
    }

    public void Dispose()
    {
        foreach (var connection in _connections.Values)
        {
            connection.Dispose();
        }

        _connections.Clear();
    }

    private static AgentConnection Open(AgentEndpoint endpoint)
    {
        var socketPath = endpoint.SocketPath;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                // The folder is writable from inside the sandbox: never follow a planted symlink.
                var socket = await SandboxSocket.TryConnectAsync(socketPath, cancellationToken)
                    ?? throw new IOException($"no agent socket at {socketPath}");
                return new NetworkStream(socket, ownsSocket: true);
            },
            InitialHttp2StreamWindowSize = 8 << 20,
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        var channel = GrpcChannel.ForAddress("http://sandboxd", new GrpcChannelOptions
        {
            HttpHandler = handler,
            // The agent takes the same limits as the silo, so a caller's message passes on whole.
            MaxReceiveMessageSize = MessageLimits.MaxMessageBytes,
            MaxSendMessageSize = MessageLimits.MaxMessageBytes,
        });
        return new AgentConnection(endpoint, channel);
    }
}
