using Sandboxes.Benchmarks.Baselines;
using Sandboxes.Benchmarks.Harness;

namespace Sandboxes.Benchmarks.Suites;

/// <summary>
/// A name never used before, to the first exec result; against docker run and the raw API.
/// Two more docker runs price the confinement: one with a disk limit (the product sets one on
/// every sandbox) and, where this host still has the system engine with the image, one on
/// that engine (overlay2, no user namespace), against the product's own engine.
/// </summary>
public sealed class ColdCreateBenchmark : IBenchmark
{
    public string Title => "cold create";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var product = context.Metric("cold_create", "ms", "new sandbox name -> first exec result (SDK)");
        var dockerRun = context.Metric("docker_run", "ms", "docker run --rm IMAGE true (CLI)");
        var dockerApi = context.Metric("docker_api_create_exec", "ms", "create + start + exec true (Docker API)");
        var dockerRunDisk = context.Metric("docker_run_disk_limit", "ms", "docker run --rm --storage-opt size=10G IMAGE true (CLI, own engine)");
        var plainEngine = await PlainEngineAsync(context.Image);
        var dockerRunPlain = plainEngine is null ? null : context.Metric("docker_run_plain_engine", "ms", "docker run --rm IMAGE true on the system engine (overlay2, no userns remap)");
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
            await BenchContext.TimeAsync(counted ? dockerRunDisk : warmUp, () => DockerCli.RunAsync("run", "--rm", "--network", "none", "--storage-opt", "size=10G", context.Image, "true"));
            if (plainEngine is not null)
            {
                await BenchContext.TimeAsync(counted ? dockerRunPlain! : warmUp, () => DockerCli.RunAsync("-H", plainEngine, "run", "--rm", "--network", "none", context.Image, "true"));
            }

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

    /// <summary>The system engine's address when it answers and holds the image; null otherwise (a host that never ran one).</summary>
    private static async Task<string?> PlainEngineAsync(string image)
    {
        const string address = "unix:///var/run/docker.sock";
        if (!File.Exists("/var/run/docker.sock") || Environment.GetEnvironmentVariable("DOCKER_HOST") is null or address)
        {
            return null;
        }

        var id = await DockerCli.OutputAsync("-H", address, "image", "inspect", "--format", "{{.Id}}", image);
        return id.StartsWith("sha256:", StringComparison.Ordinal) ? address : null;
    }
}
