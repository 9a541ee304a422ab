using Microsoft.AspNetCore.Http;

namespace Sandboxes.Agent.Probe;

/// <summary>
/// Wraps every request except the silo's Status probe in the <see cref="CallTracker"/>, so
/// probing does not keep a sandbox awake. Middleware sees a streaming call end to end.
/// </summary>
public sealed class CallTrackingMiddleware
{
    private static readonly PathString StatusPath = "/sandboxes.agent.v1.Agent/Status";

    private readonly RequestDelegate _next;
    private readonly CallTracker _tracker;

    public CallTrackingMiddleware(RequestDelegate next, CallTracker tracker)
    {
        _next = next;
        _tracker = tracker;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path == StatusPath)
        {
            await _next(context);
            return;
        }

        _tracker.Begin();
        try
        {
            await _next(context);
        }
        finally
        {
            _tracker.End();
        }
    }
}
