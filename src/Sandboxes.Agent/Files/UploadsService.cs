using Grpc.Core;
using Sandboxes.Agent.Native;
using Sandboxes.Protocol;
using Sandboxes.Protocol.Agent;

namespace Sandboxes.Agent.Files;

/// <summary>
/// Moves a large upload from the read-only inbox into place. The bytes never cross the
/// agent's socket: the silo wrote them to the inbox, and sendfile copies them here.
/// </summary>
public sealed class UploadsService : Uploads.UploadsBase
{
    public const string InboxFolder = "/.sandboxes/inbox";

    public override async Task<FileEntry> Commit(CommitUploadRequest request, ServerCallContext context)
    {
        var name = request.InboxFile;
        if (name.Length == 0 || name.Contains('/') || name is "." or ".." || request.Header is null)
        {
            throw FileErrors.Status(StatusCode.InvalidArgument, "inbox_file must be a plain file name and header must be set");
        }

        if (!Directory.Exists(InboxFolder))
        {
            throw FileErrors.Status(StatusCode.FailedPrecondition, $"this sandbox has no {InboxFolder}; stream the file instead");
        }

        var path = SandboxPath.Resolve(request.Header.Path);
        var source = Path.Combine(InboxFolder, name);
        try
        {
            using var input = File.OpenHandle(source, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
            await using var upload = FileUpload.Begin(path, request.Header.Mode, request.Header.MakeParents);
            upload.CopyFrom(input, context.CancellationToken);
            await upload.CommitAsync();
            return FileEntries.Describe(path);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw FileErrors.From(e, path);
        }
    }
}
