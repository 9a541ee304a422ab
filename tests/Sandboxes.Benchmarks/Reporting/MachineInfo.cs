using System.Runtime.InteropServices;

namespace Sandboxes.Benchmarks.Reporting;

/// <summary>What the numbers were measured on; results mean nothing without it.</summary>
public sealed record MachineInfo(string Cpu, int Cores, long MemoryMb, string Kernel, string Os, string Runtime, string DockerEngine, string DockerCli, string Date)
{
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
            DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture));
    }

    public override string ToString() =>
        $"{Cores} cores ({Cpu}), {MemoryMb / 1024.0:0.#} GiB, {Os}, kernel {Kernel}, {Runtime}, Docker engine {DockerEngine}, docker CLI {DockerCli}, {Date}";
}
