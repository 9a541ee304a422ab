using System.Buffers;
using System.Net.Sockets;

namespace Sandboxes.Networking;

/// <summary>Copies bytes between two connected sockets, passing each end-of-stream on as a half-close.</summary>
public static class BytePump
{
    private const int BufferSize = 64 * 1024;

    public static async Task BothWaysAsync(Socket a, Socket b, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var there = OneWayAsync(a, b, stop.Token);
        var back = OneWayAsync(b, a, stop.Token);

        // Either side failing ends both; a clean end of one direction waits for the other.
        var first = await Task.WhenAny(there, back);
        if (!await first)
        {
            await stop.CancelAsync();
        }

        await Task.WhenAll(there, back);
    }

    /// <summary>Copies until the source ends (then half-closes the destination) or fails. True when it ended cleanly.</summary>
    public static async Task<bool> OneWayAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken);
            }

            to.Shutdown(SocketShutdown.Send);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
