using System.Net.Http.Headers;

namespace Sandboxes.Silo.Preview;

/// <summary>
/// Keeps previews from reading or planting cookies outside their own host. A browser sends a
/// preview host its own host-only cookies and every cookie set with <c>Domain=</c> on a parent
/// domain; the sandbox server gets neither the silo's own cookies (every one is named
/// <see cref="ReservedPrefix"/>…, the console's included) nor may it set a cookie with a
/// <c>Domain</c> attribute (which would reach its sibling previews and the console) or one in
/// the silo's reserved names. What is left is what the preview host itself could have set.
/// </summary>
public static class PreviewCookies
{
    /// <summary>Names the silo's own cookies start with; never forwarded to, nor accepted from, a sandbox.</summary>
    public const string ReservedPrefix = "sandboxes_";

    /// <summary>Drops the silo's cookies from a request on its way to the sandbox.</summary>
    public static void StripRequest(HttpRequestHeaders headers)
    {
        if (!headers.TryGetValues("Cookie", out var values))
        {
            return;
        }

        var kept = values
            .SelectMany(v => v.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(pair => !IsReserved(pair.Split('=', 2)[0].Trim()))
            .ToList();
        headers.Remove("Cookie");
        if (kept.Count > 0)
        {
            headers.TryAddWithoutValidation("Cookie", string.Join("; ", kept));
        }
    }

    /// <summary>Drops every <c>Set-Cookie</c> from the sandbox that reaches beyond the preview's own host.</summary>
    public static void FilterResponse(HttpResponse response)
    {
        var setCookies = response.Headers.SetCookie;
        if (setCookies.Count == 0)
        {
            return;
        }

        response.Headers.SetCookie = setCookies.Where(c => c is not null && IsHostOnly(c)).ToArray();
    }

    private static bool IsHostOnly(string setCookie)
    {
        var parts = setCookie.Split(';', StringSplitOptions.TrimEntries);
        var name = parts[0].Split('=', 2)[0].Trim();
        return !IsReserved(name)
            && !parts.Skip(1).Any(attribute => attribute.Split('=', 2)[0].Trim().Equals("Domain", StringComparison.OrdinalIgnoreCase));
    }

    // __Host- and __Secure- are cookie prefixes the browser enforces, not part of the product's names.
    private static bool IsReserved(string name)
    {
        var bare = name.StartsWith("__Host-", StringComparison.OrdinalIgnoreCase) ? name[7..]
            : name.StartsWith("__Secure-", StringComparison.OrdinalIgnoreCase) ? name[9..]
            : name;
        return bare.StartsWith(ReservedPrefix, StringComparison.OrdinalIgnoreCase);
    }
}
