using Google.Protobuf;
using Grpc.Core;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.Files;

/// <summary>The Files service of sandboxes.proto, served inside the sandbox.</summary>
public sealed class FilesService : Protocol.Files.FilesBase
{
    private const int ChunkSize = 1024 * 1024;

    public override async Task Read(ReadFileRequest request, IServerStreamWriter<FileChunk> responseStream, ServerCallContext context)
    {
        var path = SandboxPath.Resolve(request.Path);
        try
        {
            using var handle = ReadableFile.Open(path);
            var buffer = new byte[ChunkSize];
            long offset = 0;
            while (true)
            {
                var read = await ReadChunkAsync(handle, buffer, offset, path, context.CancellationToken);
                if (read == 0)
                {
                    return;
                }

                offset += read;

                // WriteAsync serialises the message before it completes, so the buffer can be
                // reused for the next chunk without a copy.
                await responseStream.WriteAsync(new FileChunk { Data = UnsafeByteOperations.UnsafeWrap(buffer.AsMemory(0, read)) }, context.CancellationToken);
            }
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw FileErrors.From(e, path);
        }
    }

    /// <summary>A read error is the sandbox's file failing (EIO from /proc/1/mem), never worth a retry.</summary>
    private static async ValueTask<int> ReadChunkAsync(Microsoft.Win32.SafeHandles.SafeFileHandle handle, byte[] buffer, long offset, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await RandomAccess.ReadAsync(handle, buffer, offset, cancellationToken);
        }
        catch (IOException e)
        {
            throw FileErrors.Status(StatusCode.FailedPrecondition, $"reading '{path}' failed inside the sandbox at byte {offset}: {e.Message}");
        }
    }

    public override async Task<FileEntry> Write(IAsyncStreamReader<WriteFileInput> requestStream, ServerCallContext context)
    {
        var cancelled = context.CancellationToken;
        if (!await requestStream.MoveNext(cancelled) || requestStream.Current.InputCase != WriteFileInput.InputOneofCase.Header)
        {
            throw FileErrors.Status(StatusCode.InvalidArgument, "the first WriteFileInput message must be 'header'");
        }

        var header = requestStream.Current.Header;
        var path = SandboxPath.Resolve(header.Path);
        try
        {
            await using var upload = FileUpload.Begin(path, header.Mode, header.MakeParents);
            while (await requestStream.MoveNext(cancelled))
            {
                if (requestStream.Current.InputCase != WriteFileInput.InputOneofCase.Data)
                {
                    throw FileErrors.Status(StatusCode.InvalidArgument, "only the first WriteFileInput message may be 'header'; the rest must be 'data'");
                }

                await upload.WriteAsync(requestStream.Current.Data.Memory, cancelled);
            }

            await upload.CommitAsync();
            return FileEntries.Describe(path);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw FileErrors.From(e, path);
        }
    }

    public override Task<FileEntry> Stat(PathRequest request, ServerCallContext context) =>
        Task.FromResult(FileEntries.Describe(SandboxPath.Resolve(request.Path)));

    public override Task<ListFilesResponse> List(ListFilesRequest request, ServerCallContext context)
    {
        var path = SandboxPath.Resolve(request.Path);
        return Guard(path, () =>
        {
            var response = new ListFilesResponse();
            response.Entries.AddRange(DirectoryListing.List(path, request.Recursive));
            return response;
        });
    }

    public override Task<FileEntry> MakeDirectory(PathRequest request, ServerCallContext context)
    {
        var path = SandboxPath.Resolve(request.Path);
        return Guard(path, () =>
        {
            DirectoryCreation.Create(path);
            return FileEntries.Describe(path);
        });
    }

    public override Task<DeleteResponse> Delete(DeleteRequest request, ServerCallContext context)
    {
        var path = SandboxPath.Resolve(request.Path);
        return Guard(path, () => new DeleteResponse { Existed = FileDeletion.Delete(path, request.Recursive) });
    }

    public override Task<FileEntry> Move(MoveRequest request, ServerCallContext context)
    {
        var from = SandboxPath.Resolve(request.From, "from");
        var to = SandboxPath.Resolve(request.To, "to");
        return Guard(to, () => FileMove.Move(from, to, request.Overwrite));
    }

    public override Task<ExistsResponse> Exists(PathRequest request, ServerCallContext context)
    {
        var path = SandboxPath.Resolve(request.Path);
        return Guard(path, () =>
        {
            if (FileStatus.TryGet(path, follow: false, out var status, out var errno))
            {
                return new ExistsResponse { Exists = true, Type = status.Type };
            }

            return errno is Native.Errno.ENOENT or Native.Errno.ENOTDIR
                ? new ExistsResponse { Exists = false }
                : throw FileErrors.FromErrno(errno, path);
        });
    }

    private static Task<T> Guard<T>(string path, Func<T> body)
    {
        try
        {
            return Task.FromResult(body());
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw FileErrors.From(e, path);
        }
    }
}
