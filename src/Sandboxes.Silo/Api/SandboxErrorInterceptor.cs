using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Sandboxes.Silo.Api;

/// <summary>Turns domain failures into gRPC status codes with their message intact.</summary>
public sealed class SandboxErrorInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (Translate(e, context) is { } status)
        {
            throw new RpcException(status);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception e) when (Translate(e, context) is { } status)
        {
            throw new RpcException(status);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (Translate(e, context) is { } status)
        {
            throw new RpcException(status);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e) when (Translate(e, context) is { } status)
        {
            throw new RpcException(status);
        }
    }

    public static StatusCode CodeOf(SandboxError error) => error switch
    {
        SandboxError.InvalidArgument => StatusCode.InvalidArgument,
        SandboxError.NotFound => StatusCode.NotFound,
        SandboxError.FailedPrecondition => StatusCode.FailedPrecondition,
        SandboxError.ResourceExhausted => StatusCode.ResourceExhausted,
        SandboxError.PermissionDenied => StatusCode.PermissionDenied,
        SandboxError.AlreadyExists => StatusCode.AlreadyExists,
        _ => StatusCode.Unavailable,
    };

    private static Status? Translate(Exception e, ServerCallContext context) => e switch
    {
        SandboxException s => new Status(CodeOf(s.Error), s.Message),
        OperationCanceledException when context.CancellationToken.IsCancellationRequested => new Status(StatusCode.Cancelled, "the call was cancelled"),

        // Not the caller's cancellation: something the silo waited on gave up (the engine, storage).
        OperationCanceledException => new Status(StatusCode.Unavailable, "the silo gave up waiting on the engine or storage; retry"),
        // What is left is the silo's own I/O: the agent's socket, the Docker engine, storage.
        // Reads and writes of a sandbox's files map their own errors where they happen.
        IOException io => new Status(StatusCode.Unavailable, $"the silo's I/O failed (the sandbox's agent, the engine or storage): {io.Message}; retry"),
        TimeoutException t => new Status(StatusCode.Unavailable, $"the cluster did not answer in time: {t.Message}"),
        Docker.DotNet.DockerApiException d => new Status(StatusCode.Unavailable, $"the Docker engine refused: {d.ResponseBody?.Trim()}"),
        _ => null,
    };
}
