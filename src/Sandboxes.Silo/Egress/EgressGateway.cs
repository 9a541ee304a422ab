using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Sandboxes.Silo.Containers;
using Sandboxes.Silo.Hosting;

namespace Sandboxes.Silo.Egress;

/// <summary>
/// The silo's side of every running sandbox's egress: one Unix socket per sandbox, in a host
/// folder that the container sees read-only at /.sandboxes/egress. The socket's folder names
/// the sandbox, so a connection needs no credentials to say who it comes from, and the
/// sandbox cannot replace or remove the socket.
/// </summary>
public sealed class EgressGateway(IOptions<SandboxesOptions> sandboxes, SandboxFolders folders, IOptions<EgressOptions> egress, EgressPolicy policy, EgressLog log, EgressRefusals refusals) : IAsyncDisposable
{
    public const string SocketName = "proxy.sock";

    private readonly ConcurrentDictionary<string, EgressListener> _listeners = new();
    private readonly Lock _gate = new();

    public string Folder(string sandbox) => Path.Combine(sandboxes.Value.EgressDirectory, sandbox);

    /// <summary>Listens for the sandbox's outbound connections; does nothing when it already does.</summary>
    public void Open(string sandbox)
    {
        lock (_gate)
        {
            if (_listeners.ContainsKey(sandbox))
            {
                return;
            }

            var folder = Folder(sandbox);
            folders.Prepare(folder);
            _listeners[sandbox] = EgressListener.Start(sandbox, Path.Combine(folder, SocketName), policy, egress.Value, log);
        }
    }

    /// <summary>Stops listening and ends the sandbox's open connections.</summary>
    public void Close(string sandbox)
    {
        lock (_gate)
        {
            if (_listeners.TryRemove(sandbox, out var listener))
            {
                listener.Dispose();
            }

            refusals.Forget(sandbox);
            log.Forget(sandbox);
        }
    }

    public bool IsOpen(string sandbox) => _listeners.ContainsKey(sandbox);

    public ValueTask DisposeAsync()
    {
        foreach (var sandbox in _listeners.Keys)
        {
            Close(sandbox);
        }

        return ValueTask.CompletedTask;
    }
}
