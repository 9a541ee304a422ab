using Grpc.Core;
using Sandboxes.Agent.Native;

namespace Sandboxes.Agent.Files;

/// <summary>Turns file system failures into gRPC statuses whose messages name the path.</summary>
public static class FileErrors
{
    /// <summary>Maps an exception thrown while working on <paramref name="path"/>.</summary>
    public static RpcException From(Exception exception, string path) => exception switch
    {
        RpcException rpc => rpc,
        FileNotFoundException or DirectoryNotFoundException => Status(StatusCode.NotFound, $"'{path}' does not exist"),
        UnauthorizedAccessException => Status(StatusCode.PermissionDenied, $"permission denied for '{path}': {exception.Message}"),
        PathTooLongException => Status(StatusCode.InvalidArgument, $"'{path}' is too long"),
        OperationCanceledException => Status(StatusCode.Cancelled, "the call was cancelled"),
        IOException io when io.HResult is Errno.ENOSPC or Errno.EDQUOT => Status(StatusCode.ResourceExhausted, $"no space left for '{path}' (disk or quota full)"),
        IOException io when io.HResult == Errno.EROFS => Status(StatusCode.FailedPrecondition, $"'{path}' is on a read-only file system"),
        _ => Status(StatusCode.Internal, $"'{path}': {exception.Message}"),
    };

    /// <summary>Maps an errno from a libc call on <paramref name="path"/>.</summary>
    public static RpcException FromErrno(int errno, string path) => errno switch
    {
        Errno.ENOENT => Status(StatusCode.NotFound, $"'{path}' does not exist"),
        Errno.ENOTDIR => Status(StatusCode.NotFound, $"'{path}' does not exist (a parent is not a directory)"),
        Errno.EACCES or Errno.EPERM => Status(StatusCode.PermissionDenied, $"permission denied for '{path}'"),
        Errno.ENOSPC or Errno.EDQUOT => Status(StatusCode.ResourceExhausted, $"no space left for '{path}' (disk or quota full)"),
        Errno.EROFS => Status(StatusCode.FailedPrecondition, $"'{path}' is on a read-only file system"),
        Errno.ENAMETOOLONG => Status(StatusCode.InvalidArgument, $"'{path}' is too long"),
        Errno.ELOOP => Status(StatusCode.InvalidArgument, $"'{path}' has too many levels of symbolic links"),
        Errno.ENOTEMPTY => Status(StatusCode.FailedPrecondition, $"'{path}' is a directory that is not empty"),
        Errno.EEXIST => Status(StatusCode.FailedPrecondition, $"'{path}' already exists"),
        _ => Status(StatusCode.Internal, $"'{path}': {Errno.Describe(errno)}"),
    };

    public static RpcException Status(StatusCode code, string message) => new(new Grpc.Core.Status(code, message));
}
