using Sandboxes.Silo.Auth;

namespace Sandboxes.Silo.WebConsole;

/// <summary>
/// Who is using the console or a terminal WebSocket: the API key in the console's cookie
/// (set at login) or in <c>authorization: Bearer</c>. Requests that a page of another origin
/// made are refused, whatever they carry.
/// </summary>
public sealed class ConsoleAccess(ApiKeyVerifier verifier, Microsoft.Extensions.Options.IOptions<AuthOptions> options)
{
    public const string CookieName = "sandboxes_console";

    private readonly bool _enabled = options.Value.Enabled;

    public async ValueTask<Caller?> AuthenticateAsync(HttpContext context)
    {
        if (!IsSameOrigin(context))
        {
            return null;
        }

        if (!_enabled)
        {
            return Caller.Unauthenticated;
        }

        var caller = await verifier.VerifyAsync(context.Request.Cookies[CookieName] ?? BearerKey.From(context.Request));
        if (caller is not null)
        {
            context.Features.Set(caller);
        }

        return caller;
    }

    /// <summary>Checks a key typed into the login form.</summary>
    public async ValueTask<Caller?> LogInAsync(HttpContext context, string? key) =>
        IsSameOrigin(context) ? await verifier.VerifyAsync(key) : null;

    /// <summary>
    /// The cookie holds the key itself, so a revoked key stops working in the console as soon
    /// as it does everywhere else. HttpOnly (no script reads it), SameSite=Strict (no other
    /// site's page sends it), host-only (no Domain: preview hosts never see it), Secure on TLS.
    /// </summary>
    public static CookieOptions CookieFor(HttpContext context) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = "/",
        IsEssential = true,
    };

    // A page from elsewhere (a sandbox's preview page) must not ride on the cookie: browsers
    // send Origin on WebSocket handshakes and on POSTs, and it must be the console's own.
    private static bool IsSameOrigin(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.FirstOrDefault();
        return origin is null || string.Equals(origin, $"{context.Request.Scheme}://{context.Request.Host}", StringComparison.OrdinalIgnoreCase);
    }
}
