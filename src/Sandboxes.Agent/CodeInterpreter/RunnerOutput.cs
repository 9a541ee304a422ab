using System.Runtime.InteropServices;
using System.Text;
using Sandboxes.Agent.Native;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.CodeInterpreter;

/// <summary>
/// A runner's fds 1 and 2: what child processes and C code print, past the runner's own
/// streams. Decoded and given to the execution in progress; with none in progress, the last
/// 2 KiB is kept, since that is what an interpreter that dies while loading printed.
/// Used by the runner's one reader thread only.
/// </summary>
public sealed class RunnerOutput(int stdout, int stderr)
{
    private const int ChunkSize = 64 * 1024;
    private const int KeptChars = 2048;

    private readonly byte[] _buffer = new byte[ChunkSize];
    private readonly Decoder _stdoutDecoder = Encoding.UTF8.GetDecoder();
    private readonly Decoder _stderrDecoder = Encoding.UTF8.GetDecoder();
    private readonly StringBuilder _unclaimed = new();

    public int Stdout => stdout;

    public int Stderr => stderr;

    /// <summary>The last output no execution took.</summary>
    public string Unclaimed
    {
        get
        {
            lock (_unclaimed)
            {
                return _unclaimed.ToString().Trim();
            }
        }
    }

    /// <summary>Reads one chunk of <paramref name="fd"/> (<see cref="Stdout"/> or <see cref="Stderr"/>); false at end of file.</summary>
    public unsafe bool Read(int fd, CodeExecution? execution)
    {
        nint read;
        fixed (byte* data = _buffer)
        {
            read = LibC.Read(fd, data, ChunkSize);
        }

        if (read < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == Errno.EINTR || errno == Errno.EAGAIN;
        }

        if (read == 0)
        {
            return false;
        }

        var isStderr = fd == stderr;
        var decoder = isStderr ? _stderrDecoder : _stdoutDecoder;
        var bytes = _buffer.AsSpan(0, (int)read);
        var chars = new char[decoder.GetCharCount(bytes, flush: false)];
        var count = decoder.GetChars(bytes, chars, flush: false);
        if (count == 0)
        {
            return true;
        }

        var text = new string(chars, 0, count);
        if (execution is not null)
        {
            execution.Output(isStderr ? new ExecutionEvent { Stderr = text } : new ExecutionEvent { Stdout = text });
            return true;
        }

        lock (_unclaimed)
        {
            _unclaimed.Append(text);
            if (_unclaimed.Length > KeptChars)
            {
                _unclaimed.Remove(0, _unclaimed.Length - KeptChars);
            }
        }

        return true;
    }

    /// <summary>Takes what was written to both before now, without waiting for more.</summary>
    public unsafe void Drain(CodeExecution? execution)
    {
        var poll = new LibC.PollFd();
        foreach (var fd in new[] { stdout, stderr })
        {
            // Bounded, in case a background child keeps writing.
            for (var i = 0; i < 64; i++)
            {
                poll = new LibC.PollFd { Fd = fd, Events = LibC.PollIn };
                if (LibC.Poll(&poll, 1, 0) <= 0 || (poll.Revents & LibC.PollIn) == 0 || !Read(fd, execution))
                {
                    break;
                }
            }
        }
    }
}
