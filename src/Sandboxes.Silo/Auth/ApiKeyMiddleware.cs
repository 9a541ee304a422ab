using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Sandboxes.Silo.Auth;

/// <summary>
/// The key check on the gRPC port: runs before any service reads a message, so a call without
/// a valid key learns nothing but UNAUTHENTICATED, whatever it sent. The caller it finds is
/// set on the request for every API to read (<see cref="CallerExtensions"/>).
/// </summary>
public sealed partial class ApiKeyMiddleware(RequestDelegate next, ApiKeyVerifier verifier, IOptions<AuthOptions> options, ILogger<ApiKeyMiddleware> logger)
{
    public const string NoKey =
        "this call needs an API key: pass --api-key or set SANDBOXES_API_KEY (sbx and the SDK also read $SANDBOXES_HOME/admin.key, "
        + "which the silo writes at its first start), or send the header 'authorization: Bearer KEY'";

    public const string BadKey = "the API key is not valid: it is unknown, revoked or mistyped. An admin makes keys with 'sbx keys create --tenant NAME'";

    private readonly bool _enabled = options.Value.Enabled;

    public async Task InvokeAsync(HttpContext context)
    {
        if (!_enabled)
        {
            context.SetCaller(Caller.Unauthenticated);
            await next(context);
            return;
        }

        var presented = BearerKey.From(context.Request);
        Caller? caller;
        try
        {
            caller = await verifier.VerifyAsync(presented);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            KeyCheckFailed(logger, e);
            await GrpcRefusal.WriteAsync(context, StatusCode.Unavailable, "the silo could not check the API key (key storage did not answer); retry");
            return;
        }

        if (caller is null)
        {
            await GrpcRefusal.WriteAsync(context, StatusCode.Unauthenticated, presented is null ? NoKey : BadKey);
            return;
        }

        context.SetCaller(caller);
        await next(context);
    }

    [LoggerMessage(1, LogLevel.Warning, "Could not check an API key: key storage failed")]
    private static partial void KeyCheckFailed(ILogger logger, Exception exception);
}
