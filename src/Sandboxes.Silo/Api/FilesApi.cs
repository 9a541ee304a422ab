using Grpc.Core;
using Sandboxes.Protocol;
using Sandboxes.Silo.Uploads;

namespace Sandboxes.Silo.Api;

/// <summary>File access, forwarded to the sandbox's agent as streams of chunks.</summary>
public sealed class FilesApi(SandboxConnector connector, UploadForwarder uploads) : Files.FilesBase
{
    public override Task Read(ReadFileRequest request, IServerStreamWriter<FileChunk> responseStream, ServerCallContext context) =>
        connector.RelayAsync(request.Sandbox, c => c.Files.Read(request, cancellationToken: context.CancellationToken), responseStream, context.CancellationToken);

    public override async Task<FileEntry> Write(IAsyncStreamReader<WriteFileInput> requestStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken) || requestStream.Current.InputCase != WriteFileInput.InputOneofCase.Header)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the first message of a file write must be 'header' with the path"));
        }

        var header = requestStream.Current.Header;
        return await connector.CallOnceAsync(header.Sandbox, c => uploads.ForwardAsync(header, requestStream, c, context.CancellationToken));
    }

    public override Task<FileEntry> Stat(PathRequest request, ServerCallContext context) =>
        connector.CallAsync(request.Sandbox, c => c.Files.StatAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);

    public override Task<ListFilesResponse> List(ListFilesRequest request, ServerCallContext context) =>
        connector.CallAsync(request.Sandbox, c => c.Files.ListAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);

    public override Task<FileEntry> MakeDirectory(PathRequest request, ServerCallContext context) =>
        connector.CallAsync(request.Sandbox, c => c.Files.MakeDirectoryAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);

    public override Task<DeleteResponse> Delete(DeleteRequest request, ServerCallContext context) =>
        connector.CallAsync(request.Sandbox, c => c.Files.DeleteAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);

    public override Task<FileEntry> Move(MoveRequest request, ServerCallContext context) =>
        connector.CallAsync(request.Sandbox, c => c.Files.MoveAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);

    public override Task<ExistsResponse> Exists(PathRequest request, ServerCallContext context) =>
        connector.CallAsync(request.Sandbox, c => c.Files.ExistsAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);
}
