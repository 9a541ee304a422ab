using System.Buffers;
using System.Text;
using Sandboxes.Agent.Exec;

namespace Sandboxes.Agent.Processes;

/// <summary>
/// Splits a process's output into lines, stdout and stderr apart, and finds the first
/// line a test accepts. A line longer than <see cref="MaxLine"/> is tested in pieces.
/// </summary>
public sealed class LogLines(Func<string, bool> accepts)
{
    private const int MaxLine = 64 * 1024;

    private readonly ArrayBufferWriter<byte> _stdout = new();
    private readonly ArrayBufferWriter<byte> _stderr = new();

    /// <summary>The first complete line in <paramref name="chunk"/> that matches, or null.</summary>
    public string? Feed(OutputChunk chunk)
    {
        var partial = chunk.IsStderr ? _stderr : _stdout;
        var data = chunk.Data.Span;
        while (data.Length > 0)
        {
            var newline = data.IndexOf((byte)'\n');
            if (newline < 0)
            {
                partial.Write(data);
                if (partial.WrittenCount >= MaxLine && Test(partial) is { } longLine)
                {
                    return longLine;
                }

                return null;
            }

            partial.Write(data[..newline]);
            data = data[(newline + 1)..];
            if (Test(partial) is { } line)
            {
                return line;
            }
        }

        return null;
    }

    /// <summary>Tests the unterminated last lines, once the output has ended.</summary>
    public string? Finish() => Test(_stdout) ?? Test(_stderr);

    private string? Test(ArrayBufferWriter<byte> partial)
    {
        if (partial.WrittenCount == 0)
        {
            return null;
        }

        var line = Encoding.UTF8.GetString(partial.WrittenSpan).TrimEnd('\r');
        partial.Clear();
        return accepts(line) ? line : null;
    }
}
