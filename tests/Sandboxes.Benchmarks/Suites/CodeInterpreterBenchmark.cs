using Sandboxes.Benchmarks.Harness;
using Sandboxes.Client;
using Sandboxes.Protocol;

namespace Sandboxes.Benchmarks.Suites;

/// <summary>
/// runCode("1+1") on a warm context, on a new one, and as a new sandbox's first call, beside
/// that sandbox's first exec in the same loop. The silo runs with the default
/// Sandboxes:CodePrestart (python), so JavaScript shows an interpreter that was not prestarted.
/// </summary>
public sealed class CodeInterpreterBenchmark : IBenchmark
{
    public string Title => "code interpreter";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var warm = context.Metric("code_run_warm", "ms", "runCode(\"1+1\") on a warm Python context (SDK)");
        var createContext = context.Metric("code_context_create", "ms", "createCodeContext(python) until its interpreter answers (prestarted spare)");
        var cold = context.Metric("code_run_cold", "ms", "first runCode(\"1+1\") in a new Python context");
        var coldJs = context.Metric("code_run_cold_js", "ms", "first runCode(\"1+1\") in a new JavaScript context (not prestarted)");
        var firstRun = context.Metric("code_first_run", "ms", "new sandbox name -> its first runCode(\"1+1\") result (SDK)");
        var firstExec = context.Metric("code_first_exec", "ms", "new sandbox name -> its first exec result (same loop, for the ratio)");
        var warmUp = new Samples("warm-up", "ms", "");

        var box = context.Client.Sandbox(context.NewSandboxName("code"));
        for (var i = -10; i < context.Settings.CodeRuns; i++)
        {
            await BenchContext.TimeAsync(i < 0 ? warmUp : warm, () => RunAsync(box, "1+1", null, cancellationToken));
        }

        for (var round = -1; round < context.Settings.CodeContextRounds; round++)
        {
            var counted = round >= 0;
            CodeContextInfo? created = null;
            await BenchContext.TimeAsync(counted ? createContext : warmUp, async () => created = await box.CreateCodeContextAsync(cancellationToken: cancellationToken));
            await BenchContext.TimeAsync(counted ? cold : warmUp, () => RunAsync(box, "1+1", new RunCodeOptions { ContextId = created!.Id }, cancellationToken));
            await box.DeleteCodeContextAsync(created!.Id, cancellationToken);

            CodeContextInfo? js = null;
            await BenchContext.TimeAsync(counted ? coldJs : warmUp, async () =>
            {
                js = await box.CreateCodeContextAsync(new CodeContextOptions { Language = CodeLanguage.Javascript }, cancellationToken);
                await RunAsync(box, "1+1", new RunCodeOptions { ContextId = js.Id }, cancellationToken);
            });
            await box.DeleteCodeContextAsync(js!.Id, cancellationToken);

            // Lets the replacement spare finish loading before the next round claims it.
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }

        await box.DestroyAsync(cancellationToken);

        for (var round = -1; round < context.Settings.CodeFirstRunRounds; round++)
        {
            var counted = round >= 0;
            var forCode = context.Client.Sandbox(context.NewSandboxName("code-first"));
            var forExec = context.Client.Sandbox(context.NewSandboxName("exec-first"));
            // Each destroyed at once, so what it does next (load or replace a warm
            // interpreter) cannot slow the other's measurement.
            await BenchContext.TimeAsync(counted ? firstExec : warmUp, () => forExec.ExecAsync(["true"], cancellationToken: cancellationToken));
            await forExec.DestroyAsync(cancellationToken);
            await BenchContext.TimeAsync(counted ? firstRun : warmUp, () => RunAsync(forCode, "1+1", null, cancellationToken));
            await forCode.DestroyAsync(cancellationToken);
        }
    }

    private static async Task RunAsync(Sandbox box, string code, RunCodeOptions? options, CancellationToken cancellationToken)
    {
        var execution = await box.RunCodeAsync(code, options, cancellationToken);
        if (execution.Error is not null || execution.Results.Count != 1 || execution.Results[0].Text != "2")
        {
            throw new InvalidOperationException($"runCode(\"1+1\") did not answer 2: {execution}");
        }
    }
}
