using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using Sandboxes.Networking;
using Sandboxes.Silo.Limits;

namespace Sandboxes.Silo.Hosting;

/// <summary>
/// Binds the public gRPC services as grpc-dotnet's own binder does (the generated BindService
/// method, the service's and method's attributes as endpoint metadata), with two things a
/// caller sees:
/// <list type="bullet">
/// <item>A request that does not parse (a string field that is not UTF-8, a truncated field)
/// is INVALID_ARGUMENT, not UNKNOWN. grpc-dotnet reads a unary request before any interceptor
/// runs and reports any failure there as UNKNOWN, so only the request's marshaller can say so.</item>
/// <item>A unary or server-streaming call's body may be one whole message of the contract's
/// limit; Kestrel's default of 30,000,000 bytes otherwise cut such calls off with UNKNOWN.</item>
/// <item>A request's environment maps keep the environment limits (<see cref="EnvLimits"/>).</item>
/// </list>
/// </summary>
public sealed class CheckedRequestBinding<[DynamicallyAccessedMembers(ServiceMembers)] TService>(IOptions<SandboxLimits> limits) : IServiceMethodProvider<TService>
    where TService : class
{
    private const DynamicallyAccessedMemberTypes ServiceMembers = DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods;

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        for (var type = typeof(TService); type is not null; type = type.BaseType)
        {
            if (type.GetCustomAttribute<BindServiceMethodAttribute>(inherit: false) is { } bind)
            {
                var method = bind.BindType.GetMethod(bind.BindMethodName, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, [typeof(ServiceBinderBase), type])
                    ?? throw new InvalidOperationException($"{bind.BindType} has no {bind.BindMethodName}(ServiceBinderBase, {type.Name})");
                method.Invoke(null, [new Binder(context, limits.Value), null]);
                return;
            }
        }
    }

    private sealed class Binder(ServiceMethodProviderContext<TService> context, SandboxLimits limits) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
            context.AddUnaryMethod(Checked(method), Metadata(method.Name, [typeof(TRequest), typeof(ServerCallContext)], limitBody: true, out var target), Invoker<UnaryServerMethod<TService, TRequest, TResponse>>(target));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddServerStreamingMethod(Checked(method), Metadata(method.Name, [typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)], limitBody: true, out var target), Invoker<ServerStreamingServerMethod<TService, TRequest, TResponse>>(target));

        // Streaming requests have no body limit (grpc-dotnet lifts it); each message keeps the message limit.
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddClientStreamingMethod(Checked(method), Metadata(method.Name, [typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext)], limitBody: false, out var target), Invoker<ClientStreamingServerMethod<TService, TRequest, TResponse>>(target));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddDuplexStreamingMethod(Checked(method), Metadata(method.Name, [typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)], limitBody: false, out var target), Invoker<DuplexStreamingServerMethod<TService, TRequest, TResponse>>(target));

        private Method<TRequest, TResponse> Checked<TRequest, TResponse>(Method<TRequest, TResponse> method)
            where TRequest : class
            where TResponse : class
        {
            var parse = method.RequestMarshaller.ContextualDeserializer;
            var name = typeof(TRequest).Name;
            var marshaller = new Marshaller<TRequest>(method.RequestMarshaller.ContextualSerializer, context =>
            {
                TRequest request;
                try
                {
                    request = parse(context);
                }
                catch (Exception e) when (e is InvalidProtocolBufferException or DecoderFallbackException)
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument, $"the {name} message is not valid protobuf ({e.Message}); string fields must be valid UTF-8"));
                }

                if (request is IMessage message)
                {
                    EnvLimits.Check(message, limits);
                }

                return request;
            });
            return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, marshaller, method.ResponseMarshaller);
        }

        private static List<object> Metadata(string name, Type[] parameters, bool limitBody, out MethodInfo target)
        {
            // The most derived public override, as grpc-dotnet binds it; the base's stub
            // (UNIMPLEMENTED) when the service does not override the method.
            target = typeof(TService).GetMethod(name, BindingFlags.Public | BindingFlags.Instance, parameters)
                ?? throw new InvalidOperationException($"{typeof(TService)} has no method {name}");
            List<object> metadata = [.. typeof(TService).GetCustomAttributes(inherit: true), .. target.GetCustomAttributes(inherit: true)];
            metadata.Add(new HttpMethodMetadata(["POST"], acceptCorsPreflight: true));
            if (limitBody)
            {
                metadata.Add(new OneMessageBody());
            }

            return metadata;
        }

        private static TDelegate Invoker<TDelegate>(MethodInfo target)
            where TDelegate : Delegate => (TDelegate)Delegate.CreateDelegate(typeof(TDelegate), target);
    }

    private sealed class OneMessageBody : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => MessageLimits.MaxUnaryRequestBodyBytes;
    }
}
