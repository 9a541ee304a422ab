using System.Buffers;
using System.IO.Pipes;
using System.Threading.Channels;
using Microsoft.Win32.SafeHandles;
using Sandboxes.Agent.Native;

namespace Sandboxes.Agent.Exec;

/// <summary>
/// Copies one of the command's output pipes into the session's channel. Reads go through
/// the runtime's epoll loop (a PipeStream on Unix is socket-backed), so they cost no thread
/// and can stop waiting: a background child may hold the pipe open after the command exits.
/// </summary>
internal static class OutputPipe
{
    public const int ChunkSize = 64 * 1024;

    // After the grace period only what is already buffered is taken, and at most this much,
    // in case a background child keeps writing.
    private const int MaxDrainBytes = 1024 * 1024;

    /// <summary>Reads until EOF, or until <paramref name="grace"/> fires and what is buffered is drained.</summary>
    public static async Task PumpAsync(SafePipeHandle handle, bool isStderr, ChannelWriter<OutputChunk> sink, CancellationToken grace, CancellationToken abort)
    {
        await using var stream = new AnonymousPipeClientStream(PipeDirection.In, handle);

        // The read buffer is pooled and each chunk copied out at its exact size: most
        // commands print little, and a fresh 64 KiB per pipe per exec only feeds the GC.
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await stream.ReadAsync(buffer.AsMemory(0, ChunkSize), grace).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (grace.IsCancellationRequested)
                {
                    await DrainAsync(handle, isStderr, buffer, sink, abort).ConfigureAwait(false);
                    return;
                }

                if (read == 0)
                {
                    return;
                }

                await sink.WriteAsync(new OutputChunk(isStderr, buffer.AsSpan(0, read).ToArray()), abort).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The session is being torn down; nobody wants more output.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task DrainAsync(SafePipeHandle handle, bool isStderr, byte[] buffer, ChannelWriter<OutputChunk> sink, CancellationToken abort)
    {
        var fd = (int)handle.DangerousGetHandle();
        var drained = 0;
        while (drained < MaxDrainBytes)
        {
            var read = ReadIfReady(fd, buffer);
            if (read <= 0)
            {
                return;
            }

            drained += read;
            await sink.WriteAsync(new OutputChunk(isStderr, buffer.AsSpan(0, read).ToArray()), abort).ConfigureAwait(false);
        }
    }

    private static unsafe int ReadIfReady(int fd, byte[] buffer)
    {
        var poll = new LibC.PollFd { Fd = fd, Events = LibC.PollIn };
        if (LibC.Poll(&poll, 1, 0) <= 0 || (poll.Revents & (LibC.PollIn | LibC.PollHup)) == 0)
        {
            return 0;
        }

        fixed (byte* p = buffer)
        {
            return (int)LibC.Read(fd, p, ChunkSize);
        }
    }
}
