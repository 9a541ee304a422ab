using System.Diagnostics.CodeAnalysis;

namespace Sandboxes;

/// <summary>
/// The rule for sandbox names. Names appear in preview hostnames, so they are lowercase
/// DNS labels.
/// </summary>
public static class SandboxName
{
    public const int MaxLength = 63;

    public const string Rule =
        "a sandbox name must be a lowercase DNS label: 1 to 63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit";

    public static bool IsValid([NotNullWhen(true)] string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength)
        {
            return false;
        }

        if (name[0] == '-' || name[^1] == '-')
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Explains why <paramref name="name"/> was refused, quoting it safely.</summary>
    public static string Explain(string? name) => $"{Quote(name)} is not a valid sandbox name: {Rule}";

    /// <summary>A caller's name as an error message shows it: quoted, and cut short when long.</summary>
    internal static string Quote(string? name) => name is null ? "(none)" : name.Length > 80 ? $"'{name[..80]}…'" : $"'{name}'";
}
