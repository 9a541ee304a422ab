using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Sandboxes.Agent.Exec;

namespace Sandboxes.Agent.Processes;

/// <summary>
/// A started process's stdout and stderr, kept on disk in the sandbox as one ordered
/// stream of frames (1 byte stream, 4 bytes length, data) split into segments. When the
/// current segment reaches <see cref="SegmentBytes"/> a new one begins and the oldest
/// beyond <see cref="KeptSegments"/> is deleted, so a process keeps at most
/// <see cref="CapBytes"/> and at least the last <see cref="SegmentBytes"/> of output.
/// </summary>
public sealed class ProcessLog : IDisposable
{
    public const long SegmentBytes = 8L * 1024 * 1024;
    public const int KeptSegments = 2;
    public const long CapBytes = SegmentBytes * KeptSegments;
    public const int FrameHeader = 5;
    public const byte StdoutFrame = 1;
    public const byte StderrFrame = 2;

    private readonly Lock _lock = new();
    private SafeFileHandle? _current;
    private int _segment;
    private long _length;
    private TaskCompletionSource _changed = NewSignal();

    private ProcessLog(string directory, int segment, long length, bool closed)
    {
        Directory = directory;
        _segment = segment;
        _length = length;
        IsClosed = closed;
    }

    public string Directory { get; }

    /// <summary>True once the process ended and nothing more will be written.</summary>
    public bool IsClosed { get; private set; }

    /// <summary>Completes at the next write or at close; take it before reading, then await it.</summary>
    public Task Changed
    {
        get
        {
            lock (_lock)
            {
                return _changed.Task;
            }
        }
    }

    /// <summary>A fresh log for a process about to start.</summary>
    public static ProcessLog Create(string directory)
    {
        var log = new ProcessLog(directory, 1, 0, closed: false);
        log._current = File.OpenHandle(SegmentPath(directory, 1), FileMode.Create, FileAccess.Write);
        return log;
    }

    /// <summary>The log of a process that ended before the agent started.</summary>
    public static ProcessLog OpenEnded(string directory)
    {
        var segments = Segments(directory);
        return new ProcessLog(directory, segments.Count == 0 ? 1 : segments[^1], 0, closed: true);
    }

    /// <summary>The segment numbers on disk, oldest first.</summary>
    public static List<int> Segments(string directory)
    {
        var numbers = new List<int>();
        foreach (var file in System.IO.Directory.EnumerateFiles(directory, "log.*"))
        {
            if (int.TryParse(Path.GetExtension(file).TrimStart('.'), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                numbers.Add(n);
            }
        }

        numbers.Sort();
        return numbers;
    }

    public static string SegmentPath(string directory, int segment) =>
        Path.Combine(directory, $"log.{segment.ToString("D6", CultureInfo.InvariantCulture)}");

    /// <summary>Appends one chunk of output as one frame and wakes every follower.</summary>
    public void Append(OutputChunk chunk)
    {
        Span<byte> header = stackalloc byte[FrameHeader];
        header[0] = chunk.IsStderr ? StderrFrame : StdoutFrame;
        BinaryPrimitives.WriteInt32LittleEndian(header[1..], chunk.Data.Length);
        TaskCompletionSource changed;
        lock (_lock)
        {
            if (IsClosed || _current is null)
            {
                return;
            }

            if (_length > 0 && _length + FrameHeader + chunk.Data.Length > SegmentBytes)
            {
                Rotate();
            }

            RandomAccess.Write(_current, header, _length);
            RandomAccess.Write(_current, chunk.Data.Span, _length + FrameHeader);
            _length += FrameHeader + chunk.Data.Length;
            changed = _changed;
            _changed = NewSignal();
        }

        changed.TrySetResult();
    }

    /// <summary>Where a follower of only new output starts.</summary>
    public (int Segment, long Position) End()
    {
        lock (_lock)
        {
            return (_segment, _length);
        }
    }

    /// <summary>No more output: followers drain what is there and stop.</summary>
    public void Close()
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            IsClosed = true;
            _current?.Dispose();
            _current = null;
            changed = _changed;
            _changed = NewSignal();
        }

        changed.TrySetResult();
    }

    public void Dispose() => Close();

    private void Rotate()
    {
        _current!.Dispose();
        _segment++;
        _current = File.OpenHandle(SegmentPath(Directory, _segment), FileMode.Create, FileAccess.Write);
        _length = 0;

        // Readers that still hold an older segment open keep reading it; only new opens miss it.
        var oldest = _segment - KeptSegments;
        if (oldest >= 1)
        {
            File.Delete(SegmentPath(Directory, oldest));
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
