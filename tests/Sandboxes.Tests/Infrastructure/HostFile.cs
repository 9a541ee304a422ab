using System.Diagnostics;
using System.Globalization;

namespace Sandboxes.Tests.Infrastructure;

/// <summary>Owner and permission bits of a path on the host, as stat(1) reports them (.NET has no managed stat for the owner).</summary>
public sealed record HostFile(int Uid, int Gid, UnixFileMode Mode)
{
    public static async Task<HostFile> StatAsync(string path)
    {
        var start = new ProcessStartInfo("stat") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("%u %g %a");
        start.ArgumentList.Add(path);
        using var stat = Process.Start(start)!;
        var output = await stat.StandardOutput.ReadToEndAsync();
        var error = await stat.StandardError.ReadToEndAsync();
        await stat.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        if (stat.ExitCode != 0)
        {
            throw new IOException($"stat {path} failed: {error.Trim()}");
        }

        var fields = output.Trim().Split(' ');
        return new HostFile(
            int.Parse(fields[0], CultureInfo.InvariantCulture),
            int.Parse(fields[1], CultureInfo.InvariantCulture),
            (UnixFileMode)Convert.ToInt32(fields[2], 8));
    }
}
