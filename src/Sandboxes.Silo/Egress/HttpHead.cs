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

    private HttpHead(string startLine, List<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> rest)
    {
        StartLine = startLine;
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

                return new HttpHead(lines[0], headers, buffer.AsMemory(end + End.Length, length - end - End.Length));
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
