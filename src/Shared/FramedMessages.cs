using System.Buffers.Binary;
using System.Net.Sockets;
using Google.Protobuf;

namespace Sandboxes.Networking;

/// <summary>Protobuf messages on a stream socket, each behind a 4-byte little-endian length.</summary>
public static class FramedMessages
{
    public const int MaxLength = 1 << 20;

    public static byte[] Frame(IMessage message)
    {
        var size = message.CalculateSize();
        var bytes = new byte[4 + size];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, size);
        message.WriteTo(bytes.AsSpan(4));
        return bytes;
    }

    public static async Task SendAsync(Socket socket, IMessage message, CancellationToken cancellationToken) =>
        await socket.SendAsync(Frame(message), SocketFlags.None, cancellationToken);

    /// <summary>Reads one message; null when the peer closed the connection before one began.</summary>
    public static async Task<T?> ReceiveAsync<T>(Socket socket, MessageParser<T> parser, ReadOnlyMemory<byte> already, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        var head = new byte[4];
        var got = Math.Min(already.Length, 4);
        already[..got].CopyTo(head);
        if (!await FillAsync(socket, head.AsMemory(got), cancellationToken))
        {
            return got == 0 ? null : throw new IOException("the connection closed inside a message");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(head);
        if (length is < 0 or > MaxLength)
        {
            throw new InvalidDataException($"a framed message of {length} bytes is not allowed");
        }

        var body = new byte[length];
        var more = already[got..];
        more[..Math.Min(more.Length, length)].CopyTo(body);
        if (!await FillAsync(socket, body.AsMemory(Math.Min(more.Length, length)), cancellationToken))
        {
            throw new IOException("the connection closed inside a message");
        }

        return parser.ParseFrom(body);
    }

    private static async Task<bool> FillAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (buffer.Length > 0)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                return false;
            }

            buffer = buffer[read..];
        }

        return true;
    }
}
