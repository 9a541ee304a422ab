using Google.Protobuf.WellKnownTypes;
using Sandboxes.Benchmarks.Baselines;
using Sandboxes.Benchmarks.Harness;
using Sandboxes.Protocol;

namespace Sandboxes.Benchmarks.Suites;

/// <summary>A sandbox asleep for idleness, to the first exec result; against docker start + exec.</summary>
public sealed class WakeBenchmark : IBenchmark
{
    public string Title => "wake";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var product = context.Metric("wake", "ms", "sleeping sandbox -> first exec result (SDK)");
        var baseline = context.Metric("docker_start_exec", "ms", "docker start + exec true (Docker API)");
        var api = new DockerApi(context.Docker, context.Silo.Owner);
        var name = context.NewSandboxName("wake");
        var box = await context.Client.CreateAsync(name, new SandboxOptions { SleepAfter = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) }, cancellationToken);
        var container = await api.StartIdleContainerAsync(context.Image, cancellationToken);
        var warmUp = new Samples("warm-up", "ms", "");

        for (var round = -1; round < context.Settings.WakeRounds; round++)
        {
            await WaitUntilSleepingAsync(box, cancellationToken);
            await BenchContext.TimeAsync(round < 0 ? warmUp : product, () => box.ExecAsync(["true"], cancellationToken: cancellationToken));

            await api.StopAsync(container);
            await BenchContext.TimeAsync(round < 0 ? warmUp : baseline, async () =>
            {
                await api.StartAsync(container);
                await api.ExecAsync(container, ["true"], cancellationToken);
            });
        }

        await api.RemoveAsync(container);
        await box.DestroyAsync(cancellationToken);
    }

    private static Task<SandboxInfo> WaitUntilSleepingAsync(Client.Sandbox box, CancellationToken cancellationToken) =>
        Poll.UntilAsync(() => box.GetInfoAsync(cancellationToken), i => i.State == SandboxState.Sleeping, TimeSpan.FromSeconds(60), "the sandbox to fall asleep", cancellationToken);
}
