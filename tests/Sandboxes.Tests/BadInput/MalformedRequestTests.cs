using Grpc.Core;
using Grpc.Net.Client;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.BadInput;

/// <summary>
/// Requests that are not valid protobuf, sent as raw bytes the way a client with a broken
/// encoder would: a string field must be valid UTF-8. The answer is INVALID_ARGUMENT for
/// every kind of call, never UNKNOWN.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class MalformedRequestTests(SiloFixture fixture)
{
    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(bytes => bytes, bytes => bytes);
    private readonly TestSilo _silo = fixture.Silo;

    [Fact]
    public async Task A_unary_request_with_a_string_that_is_not_utf8_is_invalid_argument()
    {
        using var channel = _silo.Channel();
        var stat = new Method<byte[], byte[]>(MethodType.Unary, "sandboxes.v1.Files", "Stat", Raw, Raw);

        // PathRequest { sandbox = "<name>", path = 0xFF 0xFE "x" }
        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(stat, null, default, Request(_silo.UniqueName("utf8"), [0xFF, 0xFE, (byte)'x'])).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("UTF-8", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_unary_request_is_invalid_argument()
    {
        using var channel = _silo.Channel();
        var get = new Method<byte[], byte[]>(MethodType.Unary, "sandboxes.v1.Sandboxes", "Get", Raw, Raw);

        // Field 1 says 10 bytes follow; 2 do.
        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(get, null, default, [0x0A, 10, (byte)'a', (byte)'b']).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task A_server_streaming_request_with_a_string_that_is_not_utf8_is_invalid_argument()
    {
        using var channel = _silo.Channel();
        var read = new Method<byte[], byte[]>(MethodType.ServerStreaming, "sandboxes.v1.Files", "Read", Raw, Raw);
        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(read, null, default, Request(_silo.UniqueName("utf8"), [(byte)'/', 0xC3]));

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task A_streamed_message_with_a_string_that_is_not_utf8_is_invalid_argument()
    {
        using var channel = _silo.Channel();
        var stream = new Method<byte[], byte[]>(MethodType.DuplexStreaming, "sandboxes.v1.Exec", "Stream", Raw, Raw);
        using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(stream, null, default);

        // ExecInput { start = ExecRequest { sandbox = "<name>", command = 0xFF } }
        var start = Request(_silo.UniqueName("utf8"), [0xFF]);
        await call.RequestStream.WriteAsync([0x0A, (byte)start.Length, .. start]);
        await call.RequestStream.CompleteAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    /// <summary>Field 1 (the sandbox) as valid text, then field 2 with the given bytes.</summary>
    private static byte[] Request(string sandbox, byte[] second)
    {
        var name = System.Text.Encoding.UTF8.GetBytes(sandbox);
        return [0x0A, (byte)name.Length, .. name, 0x12, (byte)second.Length, .. second];
    }
}
