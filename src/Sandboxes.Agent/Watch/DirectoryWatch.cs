using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Grpc.Core;
using Sandboxes.Agent.Files;
using Sandboxes.Agent.Native;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.Watch;

/// <summary>
/// One inotify instance watching a directory (and, when recursive, every subdirectory,
/// including ones created later). Events are read through the runtime's epoll loop (a
/// Socket over the inotify descriptor), so a watch holds no thread while it waits.
/// </summary>
public sealed class DirectoryWatch : IDisposable
{
    private const uint Mask = LibC.InCreate | LibC.InModify | LibC.InDelete | LibC.InMovedFrom | LibC.InMovedTo
        | LibC.InAttrib | LibC.InDeleteSelf | LibC.InMoveSelf | LibC.InExclUnlink;

    private readonly Dictionary<int, string> _directories = [];
    private readonly string _root;
    private readonly bool _recursive;
    private readonly WatchFilter _filter;
    private readonly ChangeBatch _changes;
    private readonly Socket _events;
    private readonly int _fd;

    public DirectoryWatch(string root, bool recursive, WatchFilter filter, ChangeBatch changes)
    {
        _root = root;
        _recursive = recursive;
        _filter = filter;
        _changes = changes;
        _fd = LibC.InotifyInit(LibC.ONonBlock | LibC.OCloExec);
        if (_fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new RpcException(new Status(StatusCode.ResourceExhausted, $"cannot start a watch: {Errno.Describe(errno)} (too many watches in the sandbox?)"));
        }

        _events = new Socket(new SafeSocketHandle(_fd, ownsHandle: true));
        Add(root, announce: false);
    }

    /// <summary>How many directories (or the one file) are watched.</summary>
    public int Count => _directories.Count;

    /// <summary>Reads events into the batch until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var read = await _events.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            for (var offset = 0; offset < read;)
            {
                var wd = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(offset));
                var mask = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offset + 4));
                var cookie = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offset + 8));
                var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offset + 12));
                var name = buffer.AsSpan(offset + 16, length);
                var end = name.IndexOf((byte)0);
                Handle(wd, mask, cookie, Encoding.UTF8.GetString(end < 0 ? name : name[..end]));
                offset += 16 + length;
            }
        }
    }

    public void Dispose() => _events.Dispose();

    private void Handle(int wd, uint mask, uint cookie, string name)
    {
        if ((mask & LibC.InQueueOverflow) != 0)
        {
            _changes.Add(new FileChange { Type = ChangeType.Overflow, Path = _root });
            return;
        }

        if ((mask & LibC.InIgnored) != 0)
        {
            _directories.Remove(wd);
            return;
        }

        if (!_directories.TryGetValue(wd, out var directory))
        {
            return;
        }

        var path = name.Length == 0 ? directory : directory == "/" ? "/" + name : $"{directory}/{name}";
        var isDirectory = (mask & LibC.InIsDir) != 0;
        var type = (mask & LibC.InCreate) != 0 ? ChangeType.Create
            : (mask & LibC.InModify) != 0 ? ChangeType.Modify
            : (mask & (LibC.InDelete | LibC.InDeleteSelf)) != 0 ? ChangeType.Delete
            : (mask & (LibC.InMovedFrom | LibC.InMoveSelf)) != 0 ? ChangeType.MoveFrom
            : (mask & LibC.InMovedTo) != 0 ? ChangeType.MoveTo
            : (mask & LibC.InAttrib) != 0 ? ChangeType.Attrib
            : ChangeType.Unspecified;

        // A subdirectory's own delete/move is also reported by its parent, under its name.
        if (type == ChangeType.Unspecified || (name.Length == 0 && path != _root))
        {
            return;
        }

        Report(type, path, isDirectory, cookie);
        if (_recursive && isDirectory && type is ChangeType.Create or ChangeType.MoveTo && !_filter.IsExcluded(Relative(path)))
        {
            Add(path, announce: true);
        }
    }

    /// <summary>Watches <paramref name="directory"/> and its subdirectories; with <paramref name="announce"/>, reports what is already inside (it appeared before its watch).</summary>
    private void Add(string directory, bool announce)
    {
        var pending = new Stack<string>();
        pending.Push(directory);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            if (!AddOne(current))
            {
                continue;
            }

            if (!_recursive && current != _root || !Directory.Exists(current))
            {
                continue;
            }

            IEnumerable<FileSystemInfo> entries;
            try
            {
                entries = new DirectoryInfo(current).EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true }).ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var entry in entries)
            {
                var isDirectory = (entry.Attributes & FileAttributes.Directory) != 0 && entry.LinkTarget is null;
                if (announce)
                {
                    Report(ChangeType.Create, entry.FullName, isDirectory, 0);
                }

                if (_recursive && isDirectory && !_filter.IsExcluded(Relative(entry.FullName)))
                {
                    pending.Push(entry.FullName);
                }
            }
        }
    }

    private unsafe bool AddOne(string path)
    {
        var name = FileStatus.NulTerminated(path);
        int wd;
        fixed (byte* p = name)
        {
            wd = LibC.InotifyAddWatch(_fd, p, Mask);
        }

        if (wd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.ENOSPC)
            {
                throw new RpcException(new Status(StatusCode.ResourceExhausted, $"inotify watch limit reached while watching {path}; watch a smaller tree or exclude more"));
            }

            // Gone already, or not readable: nothing to watch there.
            return false;
        }

        _directories[wd] = path;
        return true;
    }

    private void Report(ChangeType type, string path, bool isDirectory, uint cookie)
    {
        var relative = Relative(path);
        if (relative.Length == 0 || _filter.Reports(relative))
        {
            _changes.Add(new FileChange { Type = type, Path = path, IsDirectory = isDirectory, Cookie = cookie });
        }
    }

    private string Relative(string path) =>
        path.Length <= _root.Length ? "" : path[(_root == "/" ? 1 : _root.Length + 1)..];
}
