using System.Runtime.InteropServices;
using Sandboxes.Agent.Native;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.Files;

/// <summary>
/// Reads directories with opendir/readdir so every name keeps its exact bytes: a name that
/// is not UTF-8 is still listed (with U+FFFD and raw_name) and can still be recursed into.
/// </summary>
public static unsafe class DirectoryListing
{
    /// <summary>Lists <paramref name="path"/>, depth first and sorted by name when <paramref name="recursive"/>.</summary>
    public static List<FileEntry> List(string path, bool recursive)
    {
        var entries = new List<FileEntry>();
        List(FileStatus.NulTerminated(path), path, recursive, entries);
        return entries;
    }

    /// <summary>The names in a directory (without "." and ".."), as raw bytes.</summary>
    public static List<byte[]> Names(ReadOnlySpan<byte> directoryNul, string displayPath)
    {
        var names = new List<byte[]>();
        Read(directoryNul, displayPath, (_, entry) => names.Add(FileEntries.NameOf(entry).ToArray()));
        return names;
    }

    private static void List(byte[] directoryNul, string displayPath, bool recursive, List<FileEntry> into)
    {
        var children = new List<(byte[] Name, FileEntry Entry)>();
        Read(directoryNul, displayPath, (dirFd, dirent) =>
        {
            var nameBytes = FileEntries.NameOf(dirent);
            var name = FileEntries.DecodeName(nameBytes, out var rawName);
            if (!FileStatus.TryGetAt(dirFd, dirent->Name, follow: false, out var status, out _))
            {
                return; // Deleted since readdir saw it.
            }

            var entry = FileEntries.Create(FileEntries.Join(displayPath, name), name, rawName, status, dirFd, dirent->Name);
            children.Add((nameBytes.ToArray(), entry));
        });

        children.Sort((a, b) => a.Name.AsSpan().SequenceCompareTo(b.Name));
        foreach (var (name, entry) in children)
        {
            into.Add(entry);
            if (recursive && entry.Type == FileType.Directory)
            {
                List(FileEntries.Join(directoryNul, name), entry.Path, recursive, into);
            }
        }
    }

    private static void Read(ReadOnlySpan<byte> directoryNul, string displayPath, EntryCallback onEntry)
    {
        nint dir;
        fixed (byte* p = directoryNul)
        {
            dir = LibC.OpenDir(p);
        }

        if (dir == 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno == Errno.ENOTDIR
                ? FileErrors.Status(Grpc.Core.StatusCode.InvalidArgument, $"'{displayPath}' is not a directory")
                : FileErrors.FromErrno(errno, displayPath);
        }

        try
        {
            var dirFd = LibC.DirFd(dir);
            while (true)
            {
                Marshal.SetLastPInvokeError(0);
                var entry = LibC.ReadDir(dir);
                if (entry == null)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno != 0)
                    {
                        throw FileErrors.FromErrno(errno, displayPath);
                    }

                    return;
                }

                var name = FileEntries.NameOf(entry);
                if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8))
                {
                    continue;
                }

                onEntry(dirFd, entry);
            }
        }
        finally
        {
            _ = LibC.CloseDir(dir);
        }
    }

    private delegate void EntryCallback(int dirFd, LibC.DirEnt64* entry);
}
