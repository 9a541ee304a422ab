using System.Net.Sockets;

namespace Sandboxes.Silo.Egress;

/// <summary>Accepts one sandbox's connections on its egress socket and runs each as an <see cref="EgressConnection"/>.</summary>
public sealed class EgressListener : IDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private int _open;

    private EgressListener(Socket socket) => _socket = socket;

    public static EgressListener Start(string sandbox, string path, EgressPolicy policy, EgressOptions options, EgressLog log)
    {
        // A socket file left by an earlier silo process: the folder is the silo's own
        // (read-only inside the sandbox), so the stale file can simply go.
        File.Delete(path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            socket.Listen(64);

            // Any user in the sandbox may connect; the folder being the sandbox's own is what grants it.
            File.SetUnixFileMode(path, (UnixFileMode)0b110_110_110);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var listener = new EgressListener(socket);
        _ = listener.AcceptAsync(sandbox, policy, options, log);
        return listener;
    }

    private async Task AcceptAsync(string sandbox, EgressPolicy policy, EgressOptions options, EgressLog log)
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(stop);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = ServeAsync(sandbox, client, policy, options, log, stop);
        }
    }

    private async Task ServeAsync(string sandbox, Socket client, EgressPolicy policy, EgressOptions options, EgressLog log, CancellationToken stop)
    {
        await Task.Yield();
        if (Interlocked.Increment(ref _open) > options.MaxConnectionsPerSandbox)
        {
            Interlocked.Decrement(ref _open);
            log.TooManyConnections(sandbox, options.MaxConnectionsPerSandbox);
            client.Dispose();
            return;
        }

        try
        {
            await new EgressConnection(sandbox, client, policy, options, log).RunAsync(stop);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
            // The sandbox slept or a side hung up; the other side sees the connection close.
        }
        catch (Exception e)
        {
            log.ConnectionFailed(sandbox, e);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();

        // _stop is not disposed: connections still winding down read its (cancelled) token.
    }
}
