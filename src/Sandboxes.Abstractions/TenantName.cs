using System.Diagnostics.CodeAnalysis;

namespace Sandboxes;

/// <summary>
/// The rule for tenant names: lowercase DNS labels like sandbox names, but at most 32
/// characters and without "--", because a tenant's name is written into its sandboxes' host
/// folder names (which must keep socket paths short) and after a "--" at the end of their
/// preview host names (which must read back one way only).
/// </summary>
public static class TenantName
{
    public const int MaxLength = 32;

    public static bool IsValid([NotNullWhen(true)] string? name) =>
        SandboxName.IsValid(name) && name.Length <= MaxLength && !name.Contains("--", StringComparison.Ordinal);

    public static string Explain(string? name) =>
        $"{SandboxName.Quote(name)} is not a valid tenant name: a lowercase DNS label of 1 to {MaxLength} characters of a-z, 0-9 and '-', starting and ending with a letter or digit, without \"--\"";
}
