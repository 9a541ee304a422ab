using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Sandboxes.Client;

namespace Sandboxes.Cli.Commands;

/// <summary>sbx shell: an interactive terminal in the sandbox, in the user's own terminal.</summary>
public static class ShellCommand
{
    public static Command Build(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Sandbox name; created with defaults if missing" };
        var shell = new Option<string?>("--shell") { Description = "Shell to run (default /bin/bash)" };
        var id = new Option<string?>("--id") { Description = "Name the terminal so others can attach to it" };
        var attach = new Option<string?>("--attach") { Description = "Join a running terminal by id instead of opening one" };
        var command = new Command("shell", "Open an interactive terminal in a sandbox; exits with the shell's status") { name, shell, id, attach };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            using var client = context.Connect(parse);
            var box = client.Sandbox(parse.GetValue(name)!);
            var interactive = !Console.IsInputRedirected && !Console.IsOutputRedirected;
            var (cols, rows) = interactive ? ((uint)Console.WindowWidth, (uint)Console.WindowHeight) : (80u, 24u);
            await using var terminal = parse.GetValue(attach) is { } existing
                ? await box.AttachTerminalAsync(existing, cancellationToken)
                : await box.OpenTerminalAsync(new TerminalOptions { Id = parse.GetValue(id), Shell = parse.GetValue(shell), Cols = cols, Rows = rows }, cancellationToken);

            using var raw = interactive ? RawMode.Enter() : null;
            using var resized = interactive && !OperatingSystem.IsWindows()
                ? PosixSignalRegistration.Create(PosixSignal.SIGWINCH, signal => { _ = terminal.ResizeAsync((uint)Console.WindowWidth, (uint)Console.WindowHeight, CancellationToken.None); })
                : null;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var typing = ForwardKeystrokesAsync(terminal, stop.Token);
            await using (var stdout = Console.OpenStandardOutput())
            {
                await foreach (var chunk in terminal.ReadAsync(cancellationToken))
                {
                    await stdout.WriteAsync(chunk, cancellationToken);
                    await stdout.FlushAsync(cancellationToken);
                }
            }

            await stop.CancelAsync();
            return terminal.Exit?.ExitCode ?? CliContext.Failed;
        }));
        return command;
    }

    private static async Task ForwardKeystrokesAsync(SandboxTerminal terminal, CancellationToken cancellationToken)
    {
        try
        {
            await using var stdin = Console.OpenStandardInput();
            var buffer = new byte[4096];
            int read;
            while ((read = await stdin.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await terminal.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or Grpc.Core.RpcException or InvalidOperationException)
        {
            // The shell ended, or stdin did; the output side decides when sbx exits.
        }
    }

    /// <summary>The user's terminal in raw mode (keys go through unprocessed, no local echo) until disposed.</summary>
    private sealed class RawMode : IDisposable
    {
        private readonly string _saved;

        private RawMode(string saved) => _saved = saved;

        public static RawMode? Enter()
        {
            var saved = Stty("-g");
            if (saved is null)
            {
                return null;
            }

            Stty("raw -echo");
            return new RawMode(saved.Trim());
        }

        public void Dispose() => Stty(_saved);

        private static string? Stty(string arguments)
        {
            try
            {
                // stty acts on its stdin, which it inherits: the user's terminal.
                using var stty = Process.Start(new ProcessStartInfo("stty", arguments) { RedirectStandardOutput = true, UseShellExecute = false });
                var output = stty?.StandardOutput.ReadToEnd();
                stty?.WaitForExit();
                return stty?.ExitCode == 0 ? output : null;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return null;
            }
        }
    }
}
