namespace Sandboxes.Networking;

/// <summary>
/// The size limits of the public contract (src/Protos/sandboxes.proto says them to callers).
/// The silo and the agent both use these, because the silo forwards a caller's messages to the
/// agent unchanged: a message the silo accepts must never be refused one hop later, where the
/// refusal was once swallowed and a command ran on input it never got.
/// </summary>
public static class MessageLimits
{
    /// <summary>The largest single gRPC message, either way: 64 MiB.</summary>
    public const int MaxMessageBytes = 64 << 20;

    /// <summary>A gRPC message's frame header: a compressed flag and a 4-byte length.</summary>
    public const int FrameHeaderBytes = 5;

    /// <summary>
    /// The largest request body of a unary or server-streaming call: one message and its
    /// header. Kestrel's own default (30,000,000 bytes) would cut such calls off first,
    /// with UNKNOWN; streaming calls have no body limit, only this per-message one.
    /// </summary>
    public const long MaxUnaryRequestBodyBytes = MaxMessageBytes + FrameHeaderBytes;

    /// <summary>The limit as people read it, for messages.</summary>
    public const string MaxMessageText = "64 MiB";
}
