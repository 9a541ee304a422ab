using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Sandboxes.Silo.WebConsole;

/// <summary>
/// Checks the console token on a request: from the query (<c>?token=</c>, which the console
/// turns into a cookie), the <c>sandboxes_console</c> cookie, or <c>Authorization: Bearer</c>;
/// and refuses requests that a page of another origin made.
/// </summary>
public sealed class ConsoleAccess(IOptions<ConsoleOptions> options)
{
    public const string CookieName = "sandboxes_console";

    public string Token { get; } = string.IsNullOrEmpty(options.Value.Token)
        ? RandomNumberGenerator.GetHexString(32, lowercase: true)
        : options.Value.Token;

    public bool Allows(HttpContext context)
    {
        // A page from elsewhere (a sandbox's preview page, whose host can be same-site with the
        // console's under localhost) must not ride on the cookie: browsers send Origin on
        // WebSocket handshakes and on POSTs, and it must be the console's own.
        var origin = context.Request.Headers.Origin.FirstOrDefault();
        if (origin is not null && !string.Equals(origin, $"{context.Request.Scheme}://{context.Request.Host}", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var offered = context.Request.Query["token"].FirstOrDefault()
            ?? context.Request.Cookies[CookieName]
            ?? (context.Request.Headers.Authorization.FirstOrDefault() is { } header && header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..] : null);
        return offered is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(offered), Encoding.UTF8.GetBytes(Token));
    }
}
