using Sandboxes.Benchmarks.Harness;

namespace Sandboxes.Benchmarks.Suites;

/// <summary>A keystroke sent to a terminal in the sandbox, until bash's echo of it comes back (SDK, gRPC).</summary>
public sealed class TerminalBenchmark : IBenchmark
{
    public string Title => "terminal";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var echo = context.Metric("terminal_echo", "ms", "keystroke -> its echo through a terminal (SDK)");
        var box = context.Client.Sandbox(context.NewSandboxName("terminal"));
        await using var terminal = await box.OpenTerminalAsync(cancellationToken: cancellationToken);
        await using var output = terminal.ReadAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);

        // The prompt first, so every measured byte is an echo.
        await terminal.WriteAsync("PS1='$ '; echo ready-$((1+1))\r", cancellationToken);
        await ReadUntilAsync(output, "ready-2");

        var warmUp = new Samples("warm-up", "ms", "");
        for (var i = -10; i < context.Settings.TerminalKeystrokes; i++)
        {
            await BenchContext.TimeAsync(i < 0 ? warmUp : echo, async () =>
            {
                await terminal.WriteAsync("x", cancellationToken);
                await ReadUntilAsync(output, "x");
            });
        }

        await terminal.WriteAsync("\u0015exit\r", cancellationToken);
        await box.DestroyAsync(cancellationToken);
    }

    private static async Task ReadUntilAsync(IAsyncEnumerator<ReadOnlyMemory<byte>> output, string expected)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = "";
        while (!seen.Contains(expected, StringComparison.Ordinal))
        {
            if (!await output.MoveNextAsync().AsTask().WaitAsync(timeout.Token))
            {
                throw new InvalidOperationException($"the terminal ended before '{expected}'");
            }

            seen += System.Text.Encoding.UTF8.GetString(output.Current.Span);
        }
    }
}
