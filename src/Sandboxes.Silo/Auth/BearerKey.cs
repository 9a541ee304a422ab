namespace Sandboxes.Silo.Auth;

/// <summary>Reads the key from <c>authorization: Bearer KEY</c>.</summary>
public static class BearerKey
{
    public static string? From(HttpRequest request)
    {
        var header = request.Headers.Authorization;
        if (header.Count != 1)
        {
            return null;
        }

        var value = header[0];
        return value is not null && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value[7..].Trim() : null;
    }
}
