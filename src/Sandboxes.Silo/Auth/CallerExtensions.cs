using Grpc.Core;

namespace Sandboxes.Silo.Auth;

/// <summary>
/// The caller of the current request, set by the key check before any API runs. Per-tenant
/// scoping reads it here (for example where a sandbox name becomes a grain, in SandboxGrains).
/// </summary>
public static class CallerExtensions
{
    public static Caller GetCaller(this HttpContext context) =>
        context.Features.Get<Caller>() ?? throw new InvalidOperationException("no caller on this request: the API key check did not run");

    public static Caller GetCaller(this ServerCallContext context) => context.GetHttpContext().GetCaller();

    internal static void SetCaller(this HttpContext context, Caller caller) => context.Features.Set(caller);
}
