using System.Diagnostics;

namespace Sandboxes.Tests.Infrastructure;

/// <summary>The real silo binary as a child process, so a test can kill it like a crash would.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;

    private SiloProcess(Process process) => _process = process;

    /// <summary>Starts the silo; with <paramref name="logPath"/>, its output is appended there (for a failure's post-mortem).</summary>
    public static async Task<SiloProcess> StartAsync(TestSilo configuration, string? logPath = null)
    {
        var log = logPath is null ? null : TextWriter.Synchronized(new StreamWriter(logPath, append: true) { AutoFlush = true });
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(TestEnvironment.SiloAssembly);
        foreach (var (key, value) in configuration.Settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        var process = Process.Start(start)!;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            log?.WriteLine(e.Data);
            if (e.Data?.Contains("Sandboxes silo ready", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) => log?.WriteLine(e.Data);
        process.Exited += (_, _) => log?.Dispose();
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(60)));
        if (first != ready.Task)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("waited 60s for the silo process to print 'Sandboxes silo ready'");
        }

        return new SiloProcess(process);
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }
}
