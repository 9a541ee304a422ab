using Grpc.Core;

namespace Sandboxes.Agent.Files;

/// <summary>Delete: a file, an empty directory, or a whole tree when asked to.</summary>
public static class FileDeletion
{
    /// <summary>Deletes <paramref name="path"/>; false when there was nothing to delete.</summary>
    public static bool Delete(string path, bool recursive)
    {
        if (path == "/")
        {
            throw FileErrors.Status(StatusCode.InvalidArgument, "refusing to delete '/'");
        }

        var bytes = FileStatus.NulTerminated(path);
        if (!FileStatus.TryGet(bytes, follow: false, out var status, out var errno))
        {
            return errno is Native.Errno.ENOENT or Native.Errno.ENOTDIR ? false : throw FileErrors.FromErrno(errno, path);
        }

        if (status.IsDirectory && recursive)
        {
            DirectoryTree.Delete(path);
            return true;
        }

        try
        {
            DirectoryTree.Remove(bytes, path, status.IsDirectory);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition && status.IsDirectory)
        {
            throw FileErrors.Status(StatusCode.FailedPrecondition, $"'{path}' is a directory that is not empty; set recursive to delete it with its contents");
        }

        return true;
    }
}
