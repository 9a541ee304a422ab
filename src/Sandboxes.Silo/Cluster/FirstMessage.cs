using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Pipelines;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Sandboxes.Silo.Cluster;

/// <summary>
/// Reads a gRPC call's first request message without taking it from the call: the service (or
/// the forwarder) then reads the body from its start as if nobody had looked. The router needs
/// it for the sandbox's name, which travels inside the message.
/// </summary>
public static class FirstMessage
{
    private const int FrameHeader = 5;

    /// <summary>The first message, or null when the body ends before one (the service then reports that).</summary>
    public static async Task<IMessage?> PeekAsync(HttpContext context, MessageDescriptor type, int maxBytes, CancellationToken cancellationToken)
    {
        var reader = context.Request.BodyReader;
        var result = await reader.ReadAsync(cancellationToken);
        if (TryParse(result.Buffer, type, maxBytes, context, out var message, out var length))
        {
            // Nothing consumed and nothing examined: the next read returns the same bytes at once.
            reader.AdvanceTo(result.Buffer.Start);
            return message;
        }

        if (result.IsCompleted || length > maxBytes)
        {
            reader.AdvanceTo(result.Buffer.Start);
            return null;
        }

        // A first message longer than one read (a large unary request): a pipe cannot be
        // rewound past what was examined, so the bytes are taken and the service gets a body
        // that replays them before the rest.
        var taken = new ArrayBufferWriter<byte>();
        while (true)
        {
            foreach (var segment in result.Buffer)
            {
                taken.Write(segment.Span);
            }

            reader.AdvanceTo(result.Buffer.End);
            if (TryParse(new ReadOnlySequence<byte>(taken.WrittenMemory), type, maxBytes, context, out message, out length) || result.IsCompleted || length > maxBytes)
            {
                break;
            }

            result = await reader.ReadAsync(cancellationToken);
        }

        context.Request.Body = new ReplayedBody(taken.WrittenMemory, context.Request.Body);
        return message;
    }

    private static bool TryParse(ReadOnlySequence<byte> buffer, MessageDescriptor type, int maxBytes, HttpContext context, out IMessage? message, out long length)
    {
        message = null;
        length = 0;
        if (buffer.Length < FrameHeader)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[FrameHeader];
        buffer.Slice(0, FrameHeader).CopyTo(header);
        length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > maxBytes || buffer.Length < FrameHeader + length)
        {
            return false;
        }

        var body = buffer.Slice(FrameHeader, length);
        try
        {
            message = header[0] == 0 ? type.Parser.ParseFrom(body) : Decompressed(body, context, type);
        }
        catch (InvalidProtocolBufferException)
        {
            // Not this router's to report: the service parses it again and says what is wrong.
            message = null;
        }

        return true;
    }

    private static IMessage? Decompressed(ReadOnlySequence<byte> body, HttpContext context, MessageDescriptor type)
    {
        if (!string.Equals(context.Request.Headers["grpc-encoding"], "gzip", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        using var gzip = new GZipStream(new MemoryStream(body.ToArray()), CompressionMode.Decompress);
        return type.Parser.ParseFrom(gzip);
    }

    /// <summary>A request body that gives back bytes already read, then the rest of the original.</summary>
    private sealed class ReplayedBody(ReadOnlyMemory<byte> replay, Stream rest) : Stream
    {
        private ReadOnlyMemory<byte> _replay = replay;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_replay.IsEmpty)
            {
                return await rest.ReadAsync(buffer, cancellationToken);
            }

            var n = Math.Min(buffer.Length, _replay.Length);
            _replay[..n].CopyTo(buffer);
            _replay = _replay[n..];
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
