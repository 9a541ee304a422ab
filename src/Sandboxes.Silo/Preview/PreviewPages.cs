using System.Net;
using System.Text.Json;

namespace Sandboxes.Silo.Preview;

/// <summary>The small pages a preview URL answers with when it cannot forward: HTML for browsers, JSON for the rest.</summary>
public static class PreviewPages
{
    public static async Task WriteAsync(HttpContext context, int status, string title, string message)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.CacheControl = "no-store";
        var accept = context.Request.Headers.Accept.ToString();
        if (accept.Contains("text/html", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(
                $"<!doctype html><html><head><meta charset=\"utf-8\"><title>{status} {WebUtility.HtmlEncode(title)}</title>"
                + "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}code{background:#f3f3f3;padding:.1rem .3rem}</style></head>"
                + $"<body><h1>{status} · {WebUtility.HtmlEncode(title)}</h1><p>{WebUtility.HtmlEncode(message)}</p><p><small>Sandboxes preview</small></p></body></html>");
            return;
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new PreviewError(status, title, message), PreviewJson.Default.PreviewError));
    }
}
