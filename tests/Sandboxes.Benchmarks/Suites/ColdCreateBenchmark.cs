using Sandboxes.Benchmarks.Baselines;
using Sandboxes.Benchmarks.Harness;

namespace Sandboxes.Benchmarks.Suites;

/// <summary>A name never used before, to the first exec result; against docker run and the raw API.</summary>
public sealed class ColdCreateBenchmark : IBenchmark
{
    public string Title => "cold create";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var product = context.Metric("cold_create", "ms", "new sandbox name -> first exec result (SDK)");
        var dockerRun = context.Metric("docker_run", "ms", "docker run --rm IMAGE true (CLI)");
        var dockerApi = context.Metric("docker_api_create_exec", "ms", "create + start + exec true (Docker API)");
        var api = new DockerApi(context.Docker, context.Silo.Owner);
        var warmUp = new Samples("warm-up", "ms", "");
        var apiContainers = new List<string>();

        for (var round = -context.Settings.WarmUp; round < context.Settings.ColdCreateRounds; round++)
        {
            var counted = round >= 0;
            var name = context.NewSandboxName("cold");
            await BenchContext.TimeAsync(counted ? product : warmUp, () => context.Client.Sandbox(name).ExecAsync(["true"], cancellationToken: cancellationToken));

            // Gone before the baselines run: nothing the sandbox does after its first answer
            // (its warm interpreter loads a second later) may slow them down.
            await context.Client.Sandbox(name).DestroyAsync(cancellationToken);
            await BenchContext.TimeAsync(counted ? dockerRun : warmUp, () => DockerCli.RunAsync("run", "--rm", "--network", "none", context.Image, "true"));
            await BenchContext.TimeAsync(counted ? dockerApi : warmUp, async () =>
            {
                var id = await api.StartIdleContainerAsync(context.Image, cancellationToken);
                apiContainers.Add(id);
                await api.ExecAsync(id, ["true"], cancellationToken);
            });
        }

        foreach (var id in apiContainers)
        {
            await api.RemoveAsync(id);
        }
    }
}
