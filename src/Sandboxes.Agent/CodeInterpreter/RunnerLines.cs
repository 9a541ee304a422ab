using System.Buffers;

namespace Sandboxes.Agent.CodeInterpreter;

/// <summary>Cuts the bytes of a runner's channel into lines, one JSON message each.</summary>
public sealed class RunnerLines
{
    // A runner that sends more than this in one message is broken or hostile.
    public const int MaxLineBytes = 64 * 1024 * 1024;

    private const int InitialBytes = 64 * 1024;

    private ArrayBufferWriter<byte> _partial = new(InitialBytes);

    /// <summary>Hands each complete line to <paramref name="handle"/>; false once a line outgrew <see cref="MaxLineBytes"/>.</summary>
    public bool Take(ReadOnlySpan<byte> bytes, Action<ReadOnlyMemory<byte>> handle)
    {
        while (bytes.Length > 0)
        {
            var newline = bytes.IndexOf((byte)'\n');
            if (newline < 0)
            {
                _partial.Write(bytes);
                return _partial.WrittenCount <= MaxLineBytes;
            }

            if (_partial.WrittenCount > 0)
            {
                _partial.Write(bytes[..newline]);
                handle(_partial.WrittenMemory);

                // A big image grew the buffer; an idle context should not keep that memory.
                _partial = _partial.Capacity > InitialBytes * 16 ? new ArrayBufferWriter<byte>(InitialBytes) : _partial;
                _partial.ResetWrittenCount();
            }
            else
            {
                handle(bytes[..newline].ToArray());
            }

            bytes = bytes[(newline + 1)..];
        }

        return true;
    }
}
