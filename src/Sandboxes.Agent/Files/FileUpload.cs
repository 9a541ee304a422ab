using System.Text;
using Grpc.Core;
using Sandboxes.Agent.Native;

namespace Sandboxes.Agent.Files;

/// <summary>
/// One Write call: bytes go to a hidden temp file beside the target, which is renamed over
/// the target only when the whole stream arrived. A broken stream leaves the old file.
/// </summary>
public sealed class FileUpload : IAsyncDisposable
{
    private const UnixFileMode DefaultMode = (UnixFileMode)0x1A4; // 0644

    private readonly string _target;
    private readonly string _temp;
    private readonly UnixFileMode _mode;
    private FileStream? _stream;

    private FileUpload(string target, string temp, UnixFileMode mode, FileStream stream)
    {
        _target = target;
        _temp = temp;
        _mode = mode;
        _stream = stream;
    }

    /// <summary>Checks the target and opens the temp file.</summary>
    public static FileUpload Begin(string target, uint mode, bool makeParents)
    {
        if (FileStatus.TryGet(target, follow: true, out var existing, out _) && existing.IsDirectory)
        {
            throw FileErrors.Status(StatusCode.InvalidArgument, $"'{target}' is a directory; write to a path inside it");
        }

        var parent = Path.GetDirectoryName(target) ?? "/";
        if (!FileStatus.TryGet(parent, follow: true, out var parentStatus, out _))
        {
            if (!makeParents)
            {
                throw FileErrors.Status(StatusCode.NotFound, $"directory '{parent}' does not exist; set make_parents to create it");
            }

            DirectoryCreation.Create(parent);
        }
        else if (!parentStatus.IsDirectory)
        {
            throw FileErrors.Status(StatusCode.FailedPrecondition, $"'{parent}' is not a directory, so '{target}' cannot be written");
        }

        // Without a mode a replaced file keeps its own, and a new one gets 0644.
        var fileMode = (mode & 0xFFF) != 0
            ? (UnixFileMode)(mode & 0xFFF)
            : existing.Type == Protocol.FileType.File ? (UnixFileMode)existing.Mode : DefaultMode;

        var temp = Path.Combine(parent, TempName(Path.GetFileName(target)));
        var stream = new FileStream(temp, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 0,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        return new FileUpload(target, temp, fileMode, stream);
    }

    /// <summary>The temp file's descriptor, for handing to the silo to write into.</summary>
    public int Descriptor => (int)_stream!.SafeFileHandle.DangerousGetHandle();

    /// <summary>The temp file's size now, whoever wrote it.</summary>
    public long Length => _stream!.Length;

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        _stream!.WriteAsync(data, cancellationToken);

    /// <summary>Copies a whole file into the upload inside the kernel (sendfile), never through user memory.</summary>
    public void CopyFrom(Microsoft.Win32.SafeHandles.SafeFileHandle source, CancellationToken cancellationToken)
    {
        var output = (int)_stream!.SafeFileHandle.DangerousGetHandle();
        var input = (int)source.DangerousGetHandle();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            nint copied;
            unsafe
            {
                copied = LibC.SendFile(output, input, null, 1 << 30);
            }

            if (copied == 0)
            {
                return;
            }

            if (copied < 0)
            {
                var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (errno != Errno.EINTR)
                {
                    throw FileErrors.FromErrno(errno, _target);
                }
            }
        }
    }

    /// <summary>Sets the mode and renames the temp file over the target.</summary>
    public async Task CommitAsync()
    {
        var stream = _stream!;
        // fchmod is exact: unlike the create mode it ignores the umask.
        File.SetUnixFileMode(stream.SafeFileHandle, _mode);
        await stream.DisposeAsync().ConfigureAwait(false);
        _stream = null;
        unsafe
        {
            fixed (byte* from = FileStatus.NulTerminated(_temp))
            fixed (byte* to = FileStatus.NulTerminated(_target))
            {
                if (LibC.RenameAt2(LibC.AtFdCwd, from, LibC.AtFdCwd, to, 0) != 0)
                {
                    throw FileErrors.FromErrno(System.Runtime.InteropServices.Marshal.GetLastPInvokeError(), _target);
                }
            }
        }
    }

    /// <summary>Abandons the upload unless it was committed: the temp file goes, the target stays.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stream is null)
        {
            return;
        }

        await _stream.DisposeAsync().ConfigureAwait(false);
        _stream = null;
        try
        {
            File.Delete(_temp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort; a stray hidden temp file is harmless.
        }
    }

    private static string TempName(string name)
    {
        // Not System.Security.Cryptography: it loads libssl, which most images lack, and
        // aborts the process when it is missing. CreateNew catches the rare collision.
        var random = Random.Shared.NextInt64(1L << 48).ToString("x12", System.Globalization.CultureInfo.InvariantCulture);

        // Keep the temp name within NAME_MAX (255 bytes) however long the target's name is.
        return Encoding.UTF8.GetByteCount(name) <= 200 ? $".{name}.sbx-tmp-{random}" : $".sbx-tmp-{random}";
    }
}
