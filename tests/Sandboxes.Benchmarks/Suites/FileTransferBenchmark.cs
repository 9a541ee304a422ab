using System.Security.Cryptography;
using Sandboxes.Benchmarks.Baselines;
using Sandboxes.Benchmarks.Harness;

namespace Sandboxes.Benchmarks.Suites;

/// <summary>Upload and download of the same host file through the SDK and through docker cp, alternating.</summary>
public sealed class FileTransferBenchmark : IBenchmark
{
    public string Title => "file transfer";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var box = context.Client.Sandbox(context.NewSandboxName("files"));
        await box.ExecAsync(["true"], cancellationToken: cancellationToken);
        var container = await context.Silo.ContainerIdAsync(box.Name);
        Directory.CreateDirectory(context.Silo.DataRoot);
        foreach (var (label, size, rounds) in new[] { ("1mb", 1 << 20, context.Settings.SmallFileRounds), ("100mb", 100 << 20, context.Settings.LargeFileRounds) })
        {
            var source = Path.Combine(context.Silo.DataRoot, $"source-{label}.bin");
            var target = Path.Combine(context.Silo.DataRoot, $"target-{label}.bin");
            await File.WriteAllBytesAsync(source, RandomNumberGenerator.GetBytes(size), cancellationToken);
            var write = context.Metric($"file_write_{label}", "MB/s", $"{label} host file -> sandbox (SDK)");
            var read = context.Metric($"file_read_{label}", "MB/s", $"{label} sandbox -> host file (SDK)");
            var cpIn = context.Metric($"docker_cp_in_{label}", "MB/s", $"{label} docker cp host -> container (CLI)");
            var cpOut = context.Metric($"docker_cp_out_{label}", "MB/s", $"{label} docker cp container -> host (CLI)");
            var warmUp = new Samples("warm-up", "MB/s", "");
            for (var round = -1; round < rounds; round++)
            {
                var counted = round >= 0;
                await BenchContext.RateAsync(counted ? write : warmUp, size, async () =>
                {
                    await using var file = File.OpenRead(source);
                    await box.Files.WriteAsync($"/tmp/sdk-{label}.bin", file, cancellationToken: cancellationToken);
                });
                await BenchContext.RateAsync(counted ? cpIn : warmUp, size, () => DockerCli.RunAsync("cp", source, $"{container}:/tmp/cp-{label}.bin"));
                await BenchContext.RateAsync(counted ? read : warmUp, size, async () =>
                {
                    await using var file = File.Create(target);
                    await box.Files.ReadAsync($"/tmp/sdk-{label}.bin", file, cancellationToken: cancellationToken);
                });
                await BenchContext.RateAsync(counted ? cpOut : warmUp, size, () => DockerCli.RunAsync("cp", $"{container}:/tmp/cp-{label}.bin", target));
            }

            File.Delete(source);
            File.Delete(target);
        }

        await box.DestroyAsync(cancellationToken);
    }
}
