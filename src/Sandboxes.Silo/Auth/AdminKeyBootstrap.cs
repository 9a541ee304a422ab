using Microsoft.Extensions.Options;
using Sandboxes.Silo.Hosting;

namespace Sandboxes.Silo.Auth;

/// <summary>
/// At start, makes sure someone can administer the silo. The first start mints an admin key
/// of tenant "default" and writes it to DataRoot/admin.key (0600), where sbx and the SDK find
/// it on this host. Later starts keep a valid admin.key as it is. When admin.key is missing or
/// no longer valid but other admin keys exist, nothing is minted (someone holds those keys,
/// or revoked this one on purpose); only Auth:RenewAdminKey=true mints one then. When no admin
/// key exists at all, a new one is minted, so the silo never locks its operator out.
/// </summary>
public sealed partial class AdminKeyBootstrap(ApiKeyStore store, ApiKeyVerifier verifier, IOptions<SandboxesOptions> sandboxes, IOptions<AuthOptions> auth, TimeProvider time, ILogger<AdminKeyBootstrap> logger) : IHostedService
{
    public const string FileName = "admin.key";

    public string Path { get; } = System.IO.Path.Combine(sandboxes.Value.DataRoot, FileName);

    /// <summary>One line for the silo's ready message: where the admin key is, or why there is none.</summary>
    public string Summary { get; private set; } = "";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.EnsureTableAsync(cancellationToken);
        if (!auth.Value.RenewAdminKey && ReadKey() is { } current && await verifier.VerifyAsync(current) is { IsAdmin: true })
        {
            RestrictMode();
            Summary = $"admin key in {Path}";
            return;
        }

        var admins = (await store.ListAsync(cancellationToken)).Count(k => k.Admin);
        if (!auth.Value.RenewAdminKey && admins > 0)
        {
            Summary = $"no valid admin key in {Path}; {admins} other admin key(s) exist (Auth:RenewAdminKey=true mints a new one)";
            KeptOthers(logger, Path, admins);
            return;
        }

        var (key, record) = await store.CreateAsync(SandboxKey.DefaultTenant, admin: true, $"bootstrap admin key ({FileName})", time, cancellationToken);
        Write(key.ToString());
        Minted(logger, record.Id, Path);
        Summary = $"admin key in {Path}";
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private string? ReadKey()
    {
        try
        {
            return File.Exists(Path) ? File.ReadAllText(Path).Trim() : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private void RestrictMode()
    {
        if ((File.GetUnixFileMode(Path) & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite)) != 0)
        {
            File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    /// <summary>Writes the key readable by this user only, replacing the file in one step.</summary>
    private void Write(string key)
    {
        Directory.CreateDirectory(sandboxes.Value.DataRoot);
        var temporary = Path + ".new";
        File.Delete(temporary);
        using (var file = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            file.Write(System.Text.Encoding.ASCII.GetBytes(key + "\n"));
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, Path, overwrite: true);
    }

    [LoggerMessage(1, LogLevel.Warning, "Minted admin key {KeyId} of tenant default and wrote it to {Path}")]
    private static partial void Minted(ILogger logger, string keyId, string path);

    [LoggerMessage(2, LogLevel.Warning, "{Path} is missing or holds no valid admin key, and {Count} other admin key(s) exist, so no new one was minted. Use one of them, or start once with Auth:RenewAdminKey=true")]
    private static partial void KeptOthers(ILogger logger, string path, int count);
}
