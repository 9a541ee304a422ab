using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Sandboxes.Protocol;
using Sandboxes.Protocol.Agent;
using Sandboxes.Silo.Agents;
using Sandboxes.Silo.Handoff;

namespace Sandboxes.Silo.Uploads;

/// <summary>
/// Delivers a Files.Write stream to the sandbox. Small files are streamed to the agent.
/// For anything larger the agent opens a temp file beside the target and hands its
/// descriptor over, and the silo writes the bytes straight into it: one gRPC hop and one
/// copy fewer, which is what makes large uploads faster than docker cp.
/// </summary>
public sealed class UploadForwarder
{
    /// <summary>Uploads up to this size go straight through the agent's gRPC stream.</summary>
    public const int HandoffThreshold = 4 << 20;

    private const int NoSpace = 28; // ENOSPC
    private const int QuotaExceeded = 122; // EDQUOT

    public async Task<FileEntry> ForwardAsync(WriteFileHeader header, IAsyncStreamReader<WriteFileInput> rest, AgentConnection agent, CancellationToken cancellationToken)
    {
        var opening = new List<ByteString>();
        var buffered = 0L;
        while (buffered <= HandoffThreshold)
        {
            if (!await rest.MoveNext(cancellationToken))
            {
                return await StreamAsync(header, ToAsync(opening, null, cancellationToken), agent, cancellationToken);
            }

            var data = DataOf(rest.Current);
            opening.Add(data);
            buffered += data.Length;
        }

        using var handoff = await HandoffConnection.ConnectAsync(agent.Endpoint.SocketPath, cancellationToken);
        if (handoff is null)
        {
            // An agent from before the handoff: everything through its gRPC stream.
            return await StreamAsync(header, ToAsync(opening, rest, cancellationToken), agent, cancellationToken);
        }

        // The agent checks the path now, so a refused upload ends before its bytes are sent.
        var (_, file) = await handoff.OpenAsync(new HandoffRequest { Write = header }, cancellationToken);
        long size;
        try
        {
            await using var target = new FileStream(file, FileAccess.Write, bufferSize: 0);
            size = await WriteAsync(target, opening, rest, cancellationToken);
        }
        catch (IOException e) when (e.HResult is NoSpace or QuotaExceeded)
        {
            // The sandbox's disk limit (or the engine's disk) is full: the caller's limit, not the host failing.
            throw new RpcException(new Status(StatusCode.ResourceExhausted, $"no space left for '{header.Path}': the sandbox's disk limit is reached ({e.Message})"));
        }

        return (await handoff.CommitAsync(size, cancellationToken)).Entry;
    }

    /// <summary>
    /// Writes the upload into the sandbox's file while the next messages arrive: receiving and
    /// writing overlap, so the disk never waits for the network or the other way round.
    /// </summary>
    private static async Task<long> WriteAsync(FileStream target, List<ByteString> opening, IAsyncStreamReader<WriteFileInput> rest, CancellationToken cancellationToken)
    {
        var pending = Channel.CreateBounded<ByteString>(new BoundedChannelOptions(8) { SingleReader = true, SingleWriter = true });
        var writing = Task.Run(
            async () =>
            {
                long size = 0;
                try
                {
                    await foreach (var data in pending.Reader.ReadAllAsync(cancellationToken))
                    {
                        await target.WriteAsync(data.Memory, cancellationToken);
                        size += data.Length;
                    }
                }
                catch (Exception e)
                {
                    // A full disk: stop the receiving side too, which would otherwise wait on a full channel.
                    pending.Writer.TryComplete(e);
                    throw;
                }

                return size;
            },
            cancellationToken);
        try
        {
            foreach (var data in opening)
            {
                await pending.Writer.WriteAsync(data, cancellationToken);
            }

            while (await rest.MoveNext(cancellationToken))
            {
                await pending.Writer.WriteAsync(DataOf(rest.Current), cancellationToken);
            }

            pending.Writer.Complete();
        }
        catch (Exception e)
        {
            pending.Writer.TryComplete(e);
            await writing.ContinueWith(_ => { }, TaskScheduler.Default);
            if (writing.IsFaulted)
            {
                // The disk's error says more than the closed channel.
                await writing;
            }

            throw;
        }

        return await writing;
    }

    private static async Task<FileEntry> StreamAsync(WriteFileHeader header, IAsyncEnumerable<ByteString> chunks, AgentConnection agent, CancellationToken cancellationToken)
    {
        using var call = agent.Files.Write(cancellationToken: cancellationToken);
        try
        {
            await call.RequestStream.WriteAsync(new WriteFileInput { Header = header }, cancellationToken);
            await foreach (var data in chunks)
            {
                await call.RequestStream.WriteAsync(new WriteFileInput { Data = data }, cancellationToken);
            }

            await call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            // The agent ended the call early (a bad path, a full disk); its status says why.
        }

        return await call.ResponseAsync;
    }

    private static ByteString DataOf(WriteFileInput input) =>
        input.InputCase == WriteFileInput.InputOneofCase.Data
            ? input.Data
            : throw new RpcException(new Status(StatusCode.InvalidArgument, "only the first message of a file write may be 'header'; the rest must be 'data'"));

    private static async IAsyncEnumerable<ByteString> ToAsync(IEnumerable<ByteString> opening, IAsyncStreamReader<WriteFileInput>? rest, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var chunk in opening)
        {
            yield return chunk;
        }

        while (rest is not null && await rest.MoveNext(cancellationToken))
        {
            yield return DataOf(rest.Current);
        }
    }
}
