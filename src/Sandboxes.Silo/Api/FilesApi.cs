using Grpc.Core;
using Sandboxes.Protocol;
using Sandboxes.Silo.Uploads;

namespace Sandboxes.Silo.Api;

/// <summary>File access, forwarded to the sandbox's agent as streams of chunks.</summary>
public sealed class FilesApi(SandboxConnector connector, UploadForwarder uploads) : Files.FilesBase
{
    public override async Task Read(ReadFileRequest request, IServerStreamWriter<FileChunk> responseStream, ServerCallContext context)
    {
        var connection = await connector.ConnectAsync(request.Sandbox);
        try
        {
            using var call = connection.Files.Read(request, cancellationToken: context.CancellationToken);
            await foreach (var chunk in call.ResponseStream.ReadAllAsync(context.CancellationToken))
            {
                await responseStream.WriteAsync(chunk, context.CancellationToken);
            }
        }
        catch (RpcException e)
        {
            await connector.ReportIfUnreachableAsync(request.Sandbox, connection, e);
            throw new RpcException(e.Status, e.Trailers);
        }
    }

    public override async Task<FileEntry> Write(IAsyncStreamReader<WriteFileInput> requestStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken) || requestStream.Current.InputCase != WriteFileInput.InputOneofCase.Header)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the first message of a file write must be 'header' with the path"));
        }

        var header = requestStream.Current.Header;
        var connection = await connector.ConnectAsync(header.Sandbox);
        try
        {
            return await uploads.ForwardAsync(header, requestStream, connection, context.CancellationToken);
        }
        catch (RpcException e)
        {
            await connector.ReportIfUnreachableAsync(header.Sandbox, connection, e);
            throw new RpcException(e.Status, e.Trailers);
        }
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
