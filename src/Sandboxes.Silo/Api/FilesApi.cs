using Google.Protobuf;
using Grpc.Core;
using Sandboxes.Protocol;
using Sandboxes.Protocol.Agent;
using Sandboxes.Silo.Handoff;
using Sandboxes.Silo.Uploads;
using Sandboxes.Silo.Auth;

namespace Sandboxes.Silo.Api;

/// <summary>File access through the sandbox's agent: its rules, and for the bytes of reads and large writes, its file descriptors.</summary>
public sealed class FilesApi(SandboxConnector connector, UploadForwarder uploads) : Files.FilesBase
{
    private const int ChunkSize = 1 << 20;

    /// <summary>
    /// The agent opens the file and hands its descriptor over; the silo reads it and streams
    /// the chunks, one gRPC hop instead of two. Agents from before the handoff stream it themselves.
    /// </summary>
    public override Task Read(ReadFileRequest request, IServerStreamWriter<FileChunk> responseStream, ServerCallContext context) =>
        connector.CallOnceAsync(context.CallersSandbox(request.Sandbox), async agent =>
        {
            var cancellationToken = context.CancellationToken;
            using var handoff = await HandoffConnection.ConnectAsync(agent.Endpoint.SocketPath, cancellationToken);
            if (handoff is null)
            {
                using var call = agent.Files.Read(request, cancellationToken: cancellationToken);
                await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    await responseStream.WriteAsync(chunk, cancellationToken);
                }

                return true;
            }

            var (_, file) = await handoff.OpenAsync(new HandoffRequest { Read = request }, cancellationToken);
            using (file)
            {
                var buffer = new byte[ChunkSize];
                long offset = 0;
                int read;
                while ((read = await ReadChunkAsync(file, buffer, offset, request.Path, cancellationToken)) > 0)
                {
                    offset += read;

                    // WriteAsync serialises the message before it completes, so the buffer is free again after it.
                    await responseStream.WriteAsync(new FileChunk { Data = UnsafeByteOperations.UnsafeWrap(buffer.AsMemory(0, read)) }, cancellationToken);
                }
            }

            return true;
        });

    /// <summary>
    /// A read error here is the sandbox's file failing (EIO from /proc/1/mem, say), not the
    /// host's storage: FAILED_PRECONDITION, which no client retries, rather than UNAVAILABLE.
    /// </summary>
    private static async ValueTask<int> ReadChunkAsync(Microsoft.Win32.SafeHandles.SafeFileHandle file, byte[] buffer, long offset, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await RandomAccess.ReadAsync(file, buffer, offset, cancellationToken);
        }
        catch (IOException e)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"reading '{path}' failed inside the sandbox at byte {offset}: {e.Message}"));
        }
    }

    public override async Task<FileEntry> Write(IAsyncStreamReader<WriteFileInput> requestStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken) || requestStream.Current.InputCase != WriteFileInput.InputOneofCase.Header)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the first message of a file write must be 'header' with the path"));
        }

        var header = requestStream.Current.Header;
        return await connector.CallOnceAsync(context.CallersSandbox(header.Sandbox), c => uploads.ForwardAsync(header, requestStream, c, context.CancellationToken));
    }

    public override Task<FileEntry> Stat(PathRequest request, ServerCallContext context) =>
        connector.CallAsync(context.CallersSandbox(request.Sandbox), c => c.Files.StatAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);

    public override Task<ListFilesResponse> List(ListFilesRequest request, ServerCallContext context) =>
        connector.CallAsync(context.CallersSandbox(request.Sandbox), c => c.Files.ListAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);

    public override Task<FileEntry> MakeDirectory(PathRequest request, ServerCallContext context) =>
        connector.CallAsync(context.CallersSandbox(request.Sandbox), c => c.Files.MakeDirectoryAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);

    public override Task<DeleteResponse> Delete(DeleteRequest request, ServerCallContext context) =>
        connector.CallAsync(context.CallersSandbox(request.Sandbox), c => c.Files.DeleteAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);

    public override Task<FileEntry> Move(MoveRequest request, ServerCallContext context) =>
        connector.CallAsync(context.CallersSandbox(request.Sandbox), c => c.Files.MoveAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);

    public override Task<ExistsResponse> Exists(PathRequest request, ServerCallContext context) =>
        connector.CallAsync(context.CallersSandbox(request.Sandbox), c => c.Files.ExistsAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);
}
