using System.Buffers;
using Google.Protobuf;

namespace Sandboxes.Agent.Exec;

/// <summary>
/// Keeps one output stream for Run: the first bytes up to a limit, then only counts the
/// rest as truncated, plus the last few KiB for the timeout trailers.
/// </summary>
public sealed class OutputCapture
{
    public const int DefaultLimit = 8 * 1024 * 1024;
    public const int TailSize = 4 * 1024;

    private readonly int _limit;
    private readonly ArrayBufferWriter<byte> _kept = new();
    private readonly byte[] _tail = new byte[TailSize];
    private long _total;

    public OutputCapture(int limit = DefaultLimit) => _limit = limit;

    public bool Truncated => _total > _limit;

    public void Append(ReadOnlySpan<byte> data)
    {
        var room = _limit - _kept.WrittenCount;
        if (room > 0)
        {
            _kept.Write(data[..Math.Min(room, data.Length)]);
        }

        // The tail is a ring indexed by the running byte count.
        var last = data.Length > TailSize ? data[^TailSize..] : data;
        var start = _total + (data.Length - last.Length);
        for (var i = 0; i < last.Length; i++)
        {
            _tail[(start + i) % TailSize] = last[i];
        }

        _total += data.Length;
    }

    public ByteString Kept() => UnsafeByteOperations.UnsafeWrap(_kept.WrittenMemory);

    /// <summary>The last <see cref="TailSize"/> bytes (fewer when less was written), in order.</summary>
    public byte[] Tail()
    {
        var length = (int)Math.Min(_total, TailSize);
        var tail = new byte[length];
        var start = _total - length;
        for (var i = 0; i < length; i++)
        {
            tail[i] = _tail[(start + i) % TailSize];
        }

        return tail;
    }
}
