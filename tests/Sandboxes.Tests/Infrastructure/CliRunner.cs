using System.Diagnostics;
using System.Text;

namespace Sandboxes.Tests.Infrastructure;

/// <summary>Runs the real sbx binary as a separate process, the way a person would, with the key in SANDBOXES_API_KEY.</summary>
public sealed class CliRunner(string serverUrl, string? apiKey)
{
    /// <summary>sbx against a test silo, with its admin key.</summary>
    public CliRunner(TestSilo silo)
        : this(silo.GrpcUrl, silo.AdminKey)
    {
    }

    public sealed record CliResult(int ExitCode, string Stdout, string Stderr);

    public async Task<CliResult> RunAsync(IEnumerable<string> args, byte[]? stdin = null, TimeSpan? within = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(TestEnvironment.CliAssembly);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["SANDBOXES_URL"] = serverUrl;

        // Never the host's own admin.key: only the key given here, or none.
        start.Environment["SANDBOXES_API_KEY"] = apiKey ?? "";
        start.Environment["SANDBOXES_HOME"] = "/nonexistent";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"sbx {string.Join(' ', args)} did not finish in time");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    public Task<CliResult> RunAsync(params string[] args) => RunAsync(args, null, null);

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
