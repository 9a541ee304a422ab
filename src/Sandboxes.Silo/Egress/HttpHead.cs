using System.Net.Sockets;
using System.Text;

namespace Sandboxes.Silo.Egress;

/// <summary>
/// The head of an HTTP/1.x message (start line and headers) as read off a socket, with
/// whatever bytes of the body arrived in the same reads.
/// </summary>
public sealed class HttpHead
{
    public const int MaxLength = 32 * 1024;

    private static readonly byte[] End = "\r\n\r\n"u8.ToArray();

    private readonly string[] _lines;

    private HttpHead(string[] lines, List<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> rest)
    {
        _lines = lines;
        StartLine = lines[0];
        Headers = headers;
        Rest = rest;
    }

    public string StartLine { get; }

    public List<KeyValuePair<string, string>> Headers { get; }

    /// <summary>Bytes read past the head: the start of the body or of a tunnelled stream.</summary>
    public ReadOnlyMemory<byte> Rest { get; }

    /// <summary>Reads one head; null when the peer closed before sending a whole one.</summary>
    public static async Task<HttpHead?> ReadAsync(Socket socket, ReadOnlyMemory<byte> already, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxLength];
        already.CopyTo(buffer);
        var length = already.Length;
        while (true)
        {
            var end = buffer.AsSpan(0, length).IndexOf(End);
            if (end >= 0)
            {
                var text = Encoding.Latin1.GetString(buffer, 0, end);
                var lines = text.Split("\r\n");
                var headers = new List<KeyValuePair<string, string>>();
                foreach (var line in lines.Skip(1))
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    if (colon <= 0)
                    {
                        throw new FormatException($"malformed header line '{line}'");
                    }

                    headers.Add(new(line[..colon].Trim(), line[(colon + 1)..].Trim()));
                }

                return new HttpHead(lines, headers, buffer.AsMemory(end + End.Length, length - end - End.Length));
            }

            if (length == buffer.Length)
            {
                throw new FormatException($"the request head is larger than {MaxLength / 1024} KiB");
            }

            var read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                return null;
            }

            length += read;
        }
    }

    /// <summary>
    /// Why the head is not strictly HTTP/1.1, or null: a control character (a NUL, or a bare CR
    /// or LF that a server downstream could read as a line end and so see a header the proxy
    /// never saw), a folded header line, or a header name that is not a token.
    /// </summary>
    public string? Malformation()
    {
        foreach (var line in _lines)
        {
            if (line.Any(c => (c < ' ' && c != '\t') || c == '\x7f'))
            {
                return $"a control character in the request head: '{EgressHost.Printable(line)}'";
            }
        }

        foreach (var line in _lines.Skip(1))
        {
            var name = line[..line.IndexOf(':', StringComparison.Ordinal)];
            if (!name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)))
            {
                return $"the header line '{EgressHost.Printable(line)}' is folded or its name is not a token";
            }
        }

        return null;
    }

    public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>The head as bytes, with a new start line and the headers given.</summary>
    public static byte[] Format(string startLine, IEnumerable<KeyValuePair<string, string>> headers)
    {
        var text = new StringBuilder(startLine).Append("\r\n");
        foreach (var (name, value) in headers)
        {
            text.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        return Encoding.Latin1.GetBytes(text.Append("\r\n").ToString());
    }
}
