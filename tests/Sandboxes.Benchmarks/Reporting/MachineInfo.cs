using System.Runtime.InteropServices;

namespace Sandboxes.Benchmarks.Reporting;

/// <summary>
/// What the numbers were measured on; results mean nothing without it. The load average
/// belongs here too: on a shared 2-core VM other work moves every figure, and the exec ratio
/// with it (product exec is a chain of wake-ups between processes, so it stretches more under
/// CPU contention than docker exec does), so a run on a busy machine must say so.
/// </summary>
public sealed record MachineInfo(string Cpu, int Cores, long MemoryMb, string Kernel, string Os, string Runtime, string DockerEngine, string DockerCli, string Date, string LoadAverage)
{
    /// <summary>The 1, 5 and 15 minute load averages, from /proc/loadavg.</summary>
    public static string LoadNow() => string.Join('/', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    public static async Task<MachineInfo> DescribeAsync()
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var memoryKb = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var os = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Split('=', 2)[1].Trim('"') ?? "linux"
            : "linux";
        return new MachineInfo(
            cpu,
            Environment.ProcessorCount,
            long.Parse(memoryKb, System.Globalization.CultureInfo.InvariantCulture) / 1024,
            File.ReadAllText("/proc/sys/kernel/osrelease").Trim(),
            os,
            RuntimeInformation.FrameworkDescription,
            await Sandboxes.Benchmarks.Baselines.DockerCli.OutputAsync("version", "--format", "{{.Server.Version}} (API {{.Server.APIVersion}})"),
            await Sandboxes.Benchmarks.Baselines.DockerCli.OutputAsync("version", "--format", "{{.Client.Version}}"),
            DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture),
            LoadNow());
    }

    public override string ToString() =>
        $"{Cores} cores ({Cpu}), {MemoryMb / 1024.0:0.#} GiB, {Os}, kernel {Kernel}, {Runtime}, Docker engine {DockerEngine}, docker CLI {DockerCli}, {Date}, load average {LoadAverage} (1/5/15 min)";
}
