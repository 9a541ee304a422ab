using Grpc.Core;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.Files;

/// <summary>mkdir -p, with a clear message when a file stands where a directory must go.</summary>
public static class DirectoryCreation
{
    public static void Create(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (IOException) when (BlockingFile(path) is { } blocker)
        {
            throw FileErrors.Status(
                StatusCode.FailedPrecondition,
                blocker == path ? $"'{path}' already exists and is not a directory" : $"'{blocker}' is not a directory, so '{path}' cannot be created");
        }
    }

    // The deepest existing component of the path, when it is not a directory.
    private static string? BlockingFile(string path)
    {
        for (var current = path; !string.IsNullOrEmpty(current); current = Path.GetDirectoryName(current))
        {
            if (FileStatus.TryGet(current, follow: true, out var status, out _))
            {
                return status.Type == FileType.Directory ? null : current;
            }
        }

        return null;
    }
}
