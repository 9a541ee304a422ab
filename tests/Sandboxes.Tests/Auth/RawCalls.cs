using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;

namespace Sandboxes.Tests.Auth;

/// <summary>
/// Calls any method of the public contract with raw bytes, found from the proto's descriptors,
/// so a test can cover every RPC, including ones added after it was written.
/// </summary>
public static class RawCalls
{
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    public static IReadOnlyList<MethodDescriptor> AllMethods() =>
        [.. Protocol.SandboxesReflection.Descriptor.Services.SelectMany(s => s.Methods)];

    /// <summary>Makes the call with an empty request and returns the status it ended with.</summary>
    public static async Task<Status> CallAsync(GrpcChannel channel, MethodDescriptor method, string? key)
    {
        var type = (method.IsClientStreaming, method.IsServerStreaming) switch
        {
            (false, false) => MethodType.Unary,
            (true, false) => MethodType.ClientStreaming,
            (false, true) => MethodType.ServerStreaming,
            _ => MethodType.DuplexStreaming,
        };
        var rpc = new Method<byte[], byte[]>(type, method.Service.FullName, method.Name, Bytes, Bytes);
        var headers = new Metadata();
        if (key is not null)
        {
            headers.Add("authorization", $"Bearer {key}");
        }

        var options = new CallOptions(headers, deadline: DateTime.UtcNow.AddSeconds(30));
        var invoker = channel.CreateCallInvoker();
        try
        {
            switch (type)
            {
                case MethodType.Unary:
                    await invoker.AsyncUnaryCall(rpc, null, options, []);
                    break;
                case MethodType.ServerStreaming:
                    using (var call = invoker.AsyncServerStreamingCall(rpc, null, options, []))
                    {
                        while (await call.ResponseStream.MoveNext(CancellationToken.None))
                        {
                        }
                    }

                    break;
                case MethodType.ClientStreaming:
                    using (var call = invoker.AsyncClientStreamingCall(rpc, null, options))
                    {
                        await CompleteQuietlyAsync(call.RequestStream);
                        await call.ResponseAsync;
                    }

                    break;
                default:
                    using (var call = invoker.AsyncDuplexStreamingCall(rpc, null, options))
                    {
                        await CompleteQuietlyAsync(call.RequestStream);
                        while (await call.ResponseStream.MoveNext(CancellationToken.None))
                        {
                        }
                    }

                    break;
            }

            return Status.DefaultSuccess;
        }
        catch (RpcException e)
        {
            return e.Status;
        }
    }

    private static async Task CompleteQuietlyAsync(IClientStreamWriter<byte[]> requests)
    {
        try
        {
            await requests.CompleteAsync();
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException)
        {
            // The server already ended the call; its status is read next.
        }
    }
}
