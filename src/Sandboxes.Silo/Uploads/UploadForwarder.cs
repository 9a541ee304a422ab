using Google.Protobuf;
using System.Threading.Channels;
using Grpc.Core;
using Sandboxes.Protocol;
using Sandboxes.Protocol.Agent;
using Sandboxes.Silo.Agents;
using Sandboxes.Silo.Containers;

namespace Sandboxes.Silo.Uploads;

/// <summary>
/// Delivers a Files.Write stream to the sandbox. Small files are streamed to the agent.
/// Anything larger is written to the sandbox's inbox on the host and handed to the agent
/// to copy into place: one gRPC hop instead of two, which is what makes large uploads
/// as fast as docker cp.
/// </summary>
public sealed class UploadForwarder(SandboxContainers containers)
{
    /// <summary>Uploads up to this size go straight through the agent's socket.</summary>
    public const int InboxThreshold = 4 << 20;

    public async Task<FileEntry> ForwardAsync(WriteFileHeader header, IAsyncStreamReader<WriteFileInput> rest, AgentConnection agent, CancellationToken cancellationToken)
    {
        var opening = new List<ByteString>();
        var buffered = 0L;
        var complete = false;
        while (buffered <= InboxThreshold)
        {
            if (!await rest.MoveNext(cancellationToken))
            {
                complete = true;
                break;
            }

            var data = DataOf(rest.Current);
            opening.Add(data);
            buffered += data.Length;
        }

        return complete
            ? await StreamAsync(header, ToAsync(opening), agent, cancellationToken)
            : await ThroughInboxAsync(header, opening, rest, agent, cancellationToken);
    }

    private async Task<FileEntry> ThroughInboxAsync(WriteFileHeader header, List<ByteString> opening, IAsyncStreamReader<WriteFileInput> rest, AgentConnection agent, CancellationToken cancellationToken)
    {
        var folder = containers.InboxFolder(header.Sandbox);
        Directory.CreateDirectory(folder);
        var name = $"{Guid.NewGuid():N}.upload";
        var staged = Path.Combine(folder, name);
        try
        {
            await StageAsync(staged, opening, rest, cancellationToken);

            try
            {
                return await agent.Uploads.CommitAsync(new CommitUploadRequest { InboxFile = name, Header = header }, cancellationToken: cancellationToken);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition && e.Status.Detail.Contains("no /.sandboxes/inbox", StringComparison.Ordinal))
            {
                // A container from before inboxes existed: stream the staged file instead.
                return await StreamAsync(header, ReadChunksAsync(staged, cancellationToken), agent, cancellationToken);
            }
        }
        finally
        {
            File.Delete(staged);
        }
    }

    /// <summary>
    /// Writes the upload to the staged file while the next messages arrive: receiving and
    /// writing overlap, so the disk never waits for the network or the other way round.
    /// </summary>
    private static async Task StageAsync(string staged, List<ByteString> opening, IAsyncStreamReader<WriteFileInput> rest, CancellationToken cancellationToken)
    {
        var pending = Channel.CreateBounded<ByteString>(new BoundedChannelOptions(8) { SingleReader = true, SingleWriter = true });
        var writing = Task.Run(
            async () =>
            {
                try
                {
                    await using var file = new FileStream(staged, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 0, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite });
                    await foreach (var data in pending.Reader.ReadAllAsync(cancellationToken))
                    {
                        await file.WriteAsync(data.Memory, cancellationToken);
                    }
                }
                catch (Exception e)
                {
                    // A full disk: stop the receiving side too, which would otherwise wait on a full channel.
                    pending.Writer.TryComplete(e);
                    throw;
                }
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

        await writing;
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

    private static async IAsyncEnumerable<ByteString> ToAsync(IEnumerable<ByteString> chunks)
    {
        foreach (var chunk in chunks)
        {
            yield return chunk;
        }

        await Task.CompletedTask;
    }

    private static async IAsyncEnumerable<ByteString> ReadChunksAsync(string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        var buffer = new byte[1 << 20];
        int read;
        while ((read = await file.ReadAsync(buffer, cancellationToken)) > 0)
        {
            yield return ByteString.CopyFrom(buffer, 0, read);
        }
    }
}
