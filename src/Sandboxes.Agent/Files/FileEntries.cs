using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Sandboxes.Agent.Native;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.Files;

/// <summary>Builds <see cref="FileEntry"/> messages from lstat information.</summary>
public static unsafe class FileEntries
{
    /// <summary>Describes <paramref name="path"/> without following a final symlink; NOT_FOUND when missing.</summary>
    public static FileEntry Describe(string path)
    {
        var bytes = FileStatus.NulTerminated(path);
        if (!FileStatus.TryGet(bytes, follow: false, out var status, out var errno))
        {
            throw FileErrors.FromErrno(errno, path);
        }

        fixed (byte* p = bytes)
        {
            var name = path == "/" ? "/" : Path.GetFileName(path);
            return Create(path, name, [], status, LibC.AtFdCwd, p);
        }
    }

    /// <summary>
    /// Makes an entry. <paramref name="at"/> and <paramref name="at"/>-relative
    /// <paramref name="pathAt"/> locate the file for reading a symlink's target.
    /// </summary>
    public static FileEntry Create(string path, string name, ReadOnlySpan<byte> rawName, FileStatus status, int at, byte* pathAt)
    {
        var entry = new FileEntry
        {
            Name = name,
            Path = path,
            Type = status.Type,
            Size = status.Size,
            Mode = status.Mode,
            Modified = Timestamp.FromDateTimeOffset(status.Modified),
        };

        if (!rawName.IsEmpty)
        {
            entry.RawName = ByteString.CopyFrom(rawName);
        }

        if (status.Type == FileType.Symlink)
        {
            entry.LinkTarget = ReadLink(at, pathAt);
        }

        return entry;
    }

    /// <summary>Decodes a name from disk; <paramref name="rawName"/> is empty unless the bytes are not UTF-8.</summary>
    public static string DecodeName(ReadOnlySpan<byte> bytes, out ReadOnlySpan<byte> rawName)
    {
        rawName = Utf8.IsValid(bytes) ? [] : bytes;
        return Encoding.UTF8.GetString(bytes);
    }

    private static string ReadLink(int at, byte* path)
    {
        var buffer = stackalloc byte[4096];
        var length = LibC.ReadLinkAt(at, path, buffer, 4096);
        if (length < 0)
        {
            return "";
        }

        return Encoding.UTF8.GetString(buffer, (int)length);
    }

    /// <summary>Joins a directory's display path and a child's name.</summary>
    public static string Join(string directory, string name) => directory.EndsWith('/') ? directory + name : directory + "/" + name;

    /// <summary>Joins raw byte paths, keeping the closing NUL.</summary>
    public static byte[] Join(ReadOnlySpan<byte> directoryNul, ReadOnlySpan<byte> name)
    {
        var directory = directoryNul[..^1];
        var slash = directory.Length > 0 && directory[^1] == (byte)'/' ? 0 : 1;
        var joined = new byte[directory.Length + slash + name.Length + 1];
        directory.CopyTo(joined);
        if (slash == 1)
        {
            joined[directory.Length] = (byte)'/';
        }

        name.CopyTo(joined.AsSpan(directory.Length + slash));
        return joined;
    }

    internal static ReadOnlySpan<byte> NameOf(LibC.DirEnt64* entry) => MemoryMarshal.CreateReadOnlySpanFromNullTerminated(entry->Name);
}
