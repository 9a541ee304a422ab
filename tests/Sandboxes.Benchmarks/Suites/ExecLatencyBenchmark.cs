using Sandboxes.Benchmarks.Baselines;
using Sandboxes.Benchmarks.Harness;

namespace Sandboxes.Benchmarks.Suites;

/// <summary>
/// Sequential exec of `true` in one running sandbox, alternating in small batches with
/// `docker exec` (CLI) and the Docker API into the very same container.
/// </summary>
public sealed class ExecLatencyBenchmark : IBenchmark
{
    private const int Batches = 10;

    public string Title => "exec latency";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var product = context.Metric("exec", "ms", "exec true, sequential (SDK)");
        var cli = context.Metric("docker_cli_exec", "ms", "docker exec CONTAINER true (CLI)");
        var apiExec = context.Metric("docker_api_exec", "ms", "exec true (Docker API)");
        var box = context.Client.Sandbox(context.NewSandboxName("exec"));
        await box.ExecAsync(["true"], cancellationToken: cancellationToken);
        var container = await context.Silo.ContainerIdAsync(box.Name);
        var api = new DockerApi(context.Docker, context.Silo.Owner);
        var warmUp = new Samples("warm-up", "ms", "");
        for (var i = 0; i < context.Settings.WarmUp; i++)
        {
            await BenchContext.TimeAsync(warmUp, () => box.ExecAsync(["true"], cancellationToken: cancellationToken));
            await BenchContext.TimeAsync(warmUp, () => DockerCli.RunAsync("exec", container, "true"));
            await BenchContext.TimeAsync(warmUp, () => api.ExecAsync(container, ["true"], cancellationToken));
        }

        for (var batch = 0; batch < Batches; batch++)
        {
            for (var i = 0; i < context.Settings.ExecRounds / Batches; i++)
            {
                await BenchContext.TimeAsync(product, () => box.ExecAsync(["true"], cancellationToken: cancellationToken));
            }

            for (var i = 0; i < context.Settings.DockerCliExecRounds / Batches; i++)
            {
                await BenchContext.TimeAsync(cli, () => DockerCli.RunAsync("exec", container, "true"));
            }

            for (var i = 0; i < context.Settings.DockerApiExecRounds / Batches; i++)
            {
                await BenchContext.TimeAsync(apiExec, () => api.ExecAsync(container, ["true"], cancellationToken));
            }
        }

        await box.DestroyAsync(cancellationToken);
    }
}
