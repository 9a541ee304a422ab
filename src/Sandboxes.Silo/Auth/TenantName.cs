namespace Sandboxes.Silo.Auth;

/// <summary>The rule for tenant names: lowercase DNS labels, like sandbox names, so they can prefix them.</summary>
public static class TenantName
{
    public static bool IsValid(string? name) => SandboxName.IsValid(name);

    public static string Explain(string? name)
    {
        var shown = name is null ? "(none)" : name.Length > 80 ? $"'{name[..80]}…'" : $"'{name}'";
        return $"{shown} is not a valid tenant name: a lowercase DNS label, 1 to 63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit";
    }
}
