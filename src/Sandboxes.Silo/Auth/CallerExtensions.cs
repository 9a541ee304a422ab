using Grpc.Core;

namespace Sandboxes.Silo.Auth;

/// <summary>
/// The caller of the current request, set by the key check before any API runs. Every API
/// turns a sandbox name into that caller's sandbox here, so names are per tenant.
/// </summary>
public static class CallerExtensions
{
    public static Caller GetCaller(this HttpContext context) =>
        context.Features.Get<Caller>() ?? throw new InvalidOperationException("no caller on this request: the API key check did not run");

    public static Caller GetCaller(this ServerCallContext context) => context.GetHttpContext().GetCaller();

    /// <summary>The caller's own sandbox of that name (see <see cref="Caller.Sandbox"/>).</summary>
    public static SandboxKey CallersSandbox(this ServerCallContext context, string name) => context.GetCaller().Sandbox(name);

    /// <summary>Refuses a caller whose key is not an admin key (PERMISSION_DENIED), saying what only admins may do.</summary>
    public static void RequireAdmin(this ServerCallContext context, string onlyAdminsMay)
    {
        var caller = context.GetCaller();
        if (!caller.IsAdmin)
        {
            throw new SandboxException(SandboxError.PermissionDenied, $"only admin keys may {onlyAdminsMay}; key {caller.KeyId} of tenant '{caller.Tenant}' is not one");
        }
    }

    internal static void SetCaller(this HttpContext context, Caller caller) => context.Features.Set(caller);
}
