using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Sandboxes.Silo.Auth;

/// <summary>
/// An API key, <c>sbx_{id}_{secret}</c>: 16 hex characters of id, which name the key and are
/// looked up, and 64 of secret (256 random bits), of which the silo stores only the SHA-256.
/// A secret this long needs no slow hash: it cannot be guessed, only stolen.
/// </summary>
public sealed record ApiKey(string Id, string Secret)
{
    public const string Prefix = "sbx_";
    public const int IdLength = 16;
    public const int SecretLength = 64;

    public static ApiKey New() => new(
        RandomNumberGenerator.GetHexString(IdLength, lowercase: true),
        RandomNumberGenerator.GetHexString(SecretLength, lowercase: true));

    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out ApiKey? key)
    {
        key = null;
        text = text.Trim();
        if (text.Length != Prefix.Length + IdLength + 1 + SecretLength || !text.StartsWith(Prefix, StringComparison.Ordinal) || text[Prefix.Length + IdLength] != '_')
        {
            return false;
        }

        var id = text.Slice(Prefix.Length, IdLength);
        var secret = text[(Prefix.Length + IdLength + 1)..];
        if (!IsLowerHex(id) || !IsLowerHex(secret))
        {
            return false;
        }

        key = new ApiKey(id.ToString(), secret.ToString());
        return true;
    }

    /// <summary>The id of a key id or a whole key, or null when it is neither.</summary>
    public static string? IdOf(string text) =>
        text.Length == IdLength && IsLowerHex(text) ? text : TryParse(text, out var key) ? key.Id : null;

    /// <summary>SHA-256 of the secret, as stored.</summary>
    public byte[] SecretHash() => HashOf(Secret);

    public static byte[] HashOf(string secret) => SHA256.HashData(Encoding.ASCII.GetBytes(secret));

    public override string ToString() => $"{Prefix}{Id}_{Secret}";

    private static bool IsLowerHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }
}
