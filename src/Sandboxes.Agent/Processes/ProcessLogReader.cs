using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using Sandboxes.Agent.Exec;

namespace Sandboxes.Agent.Processes;

/// <summary>
/// Reads a <see cref="ProcessLog"/> frame by frame, from its oldest kept segment or from
/// its end, moving on to newer segments as the log rotates. Reading never blocks on the
/// writer: a frame that is not complete yet is read on a later call.
/// </summary>
public sealed class ProcessLogReader : IDisposable
{
    private readonly string _directory;
    private SafeFileHandle? _handle;
    private int _segment;
    private long _position;

    private ProcessLogReader(string directory, int segment, long position)
    {
        _directory = directory;
        _segment = segment;
        _position = position;
    }

    private int _skipped;

    /// <summary>True when output older than what this reader saw was dropped for the size cap.</summary>
    public bool Truncated { get; private set; }

    public static ProcessLogReader FromStart(ProcessLog log)
    {
        var segments = ProcessLog.Segments(log.Directory);
        var first = segments.Count == 0 ? 1 : segments[0];
        return new ProcessLogReader(log.Directory, first, 0) { Truncated = first > 1, _skipped = first - 1 };
    }

    /// <summary>Segments skipped (dropped before this reader got to them) since the last call.</summary>
    public int TakeSkipped()
    {
        var skipped = _skipped;
        _skipped = 0;
        return skipped;
    }

    public static ProcessLogReader FromEnd(ProcessLog log)
    {
        var (segment, position) = log.End();
        return new ProcessLogReader(log.Directory, segment, position);
    }

    /// <summary>Adds complete frames to <paramref name="into"/> until about <paramref name="maxBytes"/>; returns the bytes read.</summary>
    public int Read(List<OutputChunk> into, int maxBytes)
    {
        var total = 0;
        Span<byte> header = stackalloc byte[ProcessLog.FrameHeader];
        while (total < maxBytes)
        {
            var skippedBefore = _skipped;
            if (_handle is null && !OpenSegment())
            {
                return total;
            }

            // A batch never spans a gap: what came before it is sent before the gap is told.
            if (_skipped > skippedBefore)
            {
                return total;
            }

            var length = RandomAccess.GetLength(_handle!);
            if (_position + ProcessLog.FrameHeader > length || RandomAccess.Read(_handle!, header, _position) < ProcessLog.FrameHeader)
            {
                if (!NextSegment())
                {
                    return total;
                }

                continue;
            }

            var size = BinaryPrimitives.ReadInt32LittleEndian(header[1..]);
            if (_position + ProcessLog.FrameHeader + size > length)
            {
                // The writer is mid-frame (only possible in the newest segment).
                if (!NextSegment())
                {
                    return total;
                }

                continue;
            }

            var data = new byte[size];
            _ = RandomAccess.Read(_handle!, data, _position + ProcessLog.FrameHeader);
            _position += ProcessLog.FrameHeader + size;
            into.Add(new OutputChunk(header[0] == ProcessLog.StderrFrame, data));
            total += size;
        }

        return total;
    }

    public void Dispose() => _handle?.Dispose();

    private bool OpenSegment()
    {
        try
        {
            _handle = File.OpenHandle(ProcessLog.SegmentPath(_directory, _segment), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return true;
        }
        catch (FileNotFoundException)
        {
            // Rotated away before this reader got to it: skip to the oldest segment kept.
            var segments = ProcessLog.Segments(_directory);
            var next = segments.FirstOrDefault(s => s > _segment);
            if (next == 0)
            {
                return false;
            }

            Truncated = true;
            _skipped += next - _segment;
            _segment = next;
            _position = 0;
            return OpenSegment();
        }
    }

    /// <summary>Moves to the next segment when one exists: the current one is then complete.</summary>
    private bool NextSegment()
    {
        if (!File.Exists(ProcessLog.SegmentPath(_directory, _segment + 1)) && ProcessLog.Segments(_directory).All(s => s <= _segment))
        {
            return false;
        }

        _handle?.Dispose();
        _handle = null;
        _segment++;
        _position = 0;
        return true;
    }
}
