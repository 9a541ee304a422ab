using System.Collections.Frozen;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Sandboxes.Networking;
using Sandboxes.Protocol;
using Sandboxes.Silo.Api;
using Sandboxes.Silo.Auth;

namespace Sandboxes.Silo.Cluster;

/// <summary>
/// The one place a gRPC call finds its sandbox's host. Calls that reach a sandbox's agent
/// (<see cref="AgentServices"/>) are served here when the sandbox lives on this host, and
/// otherwise forwarded whole to the silo that holds it. The rest (create, list, keys, ports)
/// are grain calls, which Orleans routes by itself. A one-host cluster skips all of this.
/// </summary>
public sealed class CallRouter(RequestDelegate next, SandboxRouting routing, SiloForwarder forwarder)
{
    /// <summary>The services whose calls are served by the sandbox's agent, on its host only.</summary>
    public static readonly Google.Protobuf.Reflection.ServiceDescriptor[] AgentServices =
    [
        Exec.Descriptor, Files.Descriptor, Processes.Descriptor, Sessions.Descriptor, Watches.Descriptor,
        Protocol.Terminals.Descriptor, Protocol.Git.Descriptor, Protocol.CodeInterpreter.Descriptor,
    ];

    private static readonly FrozenDictionary<string, MessageDescriptor> RequestTypes = AgentServices
        .SelectMany(s => s.Methods)
        .ToFrozenDictionary(m => $"/{m.Service.FullName}/{m.Name}", m => m.InputType, StringComparer.Ordinal);

    public async Task InvokeAsync(HttpContext context)
    {
        if (ForwardedCall.IsForwarded(context) || !RequestTypes.TryGetValue(context.Request.Path.Value ?? "", out var requestType) || !routing.Needed)
        {
            await next(context);
            return;
        }

        ApplyBodyLimits(context);
        var request = await FirstMessage.PeekAsync(context, requestType, MessageLimits.MaxMessageBytes, context.RequestAborted);
        if (request is null || SandboxNameOf(request) is not { } name || !SandboxName.IsValid(name))
        {
            // The service reports what is wrong with the request.
            await next(context);
            return;
        }

        var route = await routing.FindAsync(context.GetCaller().Sandbox(name), context.RequestAborted);
        if (route.Refusal is { } refusal)
        {
            await GrpcRefusal.WriteAsync(context, SandboxErrorInterceptor.CodeOf(refusal.Error), refusal.Message);
        }
        else if (route.Owner is { } owner)
        {
            await forwarder.ForwardCallAsync(context, owner);
        }
        else
        {
            await next(context);
        }
    }

    /// <summary>
    /// The sandbox a request names: its own <c>sandbox</c> field, or that of the message that
    /// opens a stream (an exec's start, a write's header, a terminal's open or attach).
    /// </summary>
    public static string? SandboxNameOf(IMessage request)
    {
        var fields = request.Descriptor.Fields;
        if (fields.InDeclarationOrder().FirstOrDefault(f => f.Name == "sandbox" && f.FieldType == FieldType.String) is { } own)
        {
            return (string)own.Accessor.GetValue(request);
        }

        foreach (var field in fields.InDeclarationOrder())
        {
            if (field.FieldType == FieldType.Message && !field.IsRepeated && !field.IsMap && field.Accessor.GetValue(request) is IMessage opening
                && opening.Descriptor.Fields.InDeclarationOrder().FirstOrDefault(f => f.Name == "sandbox" && f.FieldType == FieldType.String) is { } nested)
            {
                return (string)nested.Accessor.GetValue(opening);
            }
        }

        return null;
    }

    /// <summary>
    /// The body limits the service would set, set before the first message is read (after
    /// that they can no longer change): one message for unary calls, none for streams.
    /// </summary>
    private static void ApplyBodyLimits(HttpContext context)
    {
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }

        if (limit is null && context.Features.Get<Microsoft.AspNetCore.Server.Kestrel.Core.Features.IHttpMinRequestBodyDataRateFeature>() is { } rate)
        {
            rate.MinDataRate = null;
        }
    }
}
