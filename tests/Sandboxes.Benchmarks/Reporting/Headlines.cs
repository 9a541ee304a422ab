using Sandboxes.Benchmarks.Harness;

namespace Sandboxes.Benchmarks.Reporting;

/// <summary>The one-line-per-figure summary (`name value unit`) and the targets the issue sets.</summary>
public sealed class Headlines(IReadOnlyCollection<Samples> metrics)
{
    private static readonly (string Line, string Metric, double Percentile, string Unit)[] Figures =
    [
        ("exec_p50_ms", "exec", 50, "ms"),
        ("exec_p99_ms", "exec", 99, "ms"),
        ("docker_cli_exec_p50_ms", "docker_cli_exec", 50, "ms"),
        ("docker_api_exec_p50_ms", "docker_api_exec", 50, "ms"),
        ("cold_create_p50_ms", "cold_create", 50, "ms"),
        ("docker_run_p50_ms", "docker_run", 50, "ms"),
        ("docker_api_create_exec_p50_ms", "docker_api_create_exec", 50, "ms"),
        ("docker_run_disk_limit_p50_ms", "docker_run_disk_limit", 50, "ms"),
        ("docker_run_plain_engine_p50_ms", "docker_run_plain_engine", 50, "ms"),
        ("exec_throughput_per_s", "exec_throughput", 50, "exec/s"),
        ("docker_api_exec_throughput_per_s", "docker_api_exec_throughput", 50, "exec/s"),
        ("wake_p50_ms", "wake", 50, "ms"),
        ("docker_start_exec_p50_ms", "docker_start_exec", 50, "ms"),
        ("file_write_1mb_mbps", "file_write_1mb", 50, "MB/s"),
        ("file_read_1mb_mbps", "file_read_1mb", 50, "MB/s"),
        ("file_write_100mb_mbps", "file_write_100mb", 50, "MB/s"),
        ("file_read_100mb_mbps", "file_read_100mb", 50, "MB/s"),
        ("docker_cp_in_100mb_mbps", "docker_cp_in_100mb", 50, "MB/s"),
        ("docker_cp_out_100mb_mbps", "docker_cp_out_100mb", 50, "MB/s"),
        ("preview_p50_ms", "preview_request", 50, "ms"),
        ("preview_direct_p50_ms", "preview_direct_request", 50, "ms"),
        ("terminal_echo_p50_ms", "terminal_echo", 50, "ms"),
        ("code_run_warm_p50_ms", "code_run_warm", 50, "ms"),
        ("code_run_cold_p50_ms", "code_run_cold", 50, "ms"),
        ("code_first_run_p50_ms", "code_first_run", 50, "ms"),
        ("code_first_exec_p50_ms", "code_first_exec", 50, "ms"),
        ("silo_kb_per_idle_sandbox", "silo_kb_per_idle_sandbox", 50, "KB"),
        ("agent_rss_mb", "agent_rss", 50, "MB"),
        ("agent_private_mb", "agent_private", 50, "MB"),
        ("density_idle_sandboxes", "density_idle_sandboxes", 50, "count"),
        ("exec_relayed_p50_ms", "exec_relayed", 50, "ms"),
        ("exec_owner_p50_ms", "exec_owner", 50, "ms"),
        ("file_read_100mb_relayed_mbps", "file_read_100mb_relayed", 50, "MB/s"),
        ("file_read_100mb_owner_mbps", "file_read_100mb_owner", 50, "MB/s"),
        ("create_burst_3hosts_per_s", "create_burst_3hosts", 50, "creates/s"),
        ("create_burst_1host_per_s", "create_burst_1host", 50, "creates/s"),
        ("create_burst_3hosts_refused", "create_burst_3hosts_refused", 50, "count"),
        ("create_burst_1host_refused", "create_burst_1host_refused", 50, "count"),
    ];

    public IEnumerable<string> Lines() =>
        Figures
            .Select(f => (f.Line, Value: P(f.Metric, f.Percentile), f.Unit))
            .Where(f => !double.IsNaN(f.Value))
            .Select(f => $"{f.Line} {ResultsTable.F(f.Value)} {f.Unit}");

    public IReadOnlyList<Ratio> Ratios()
    {
        var ratios = new List<Ratio>
        {
            Faster("exec_vs_docker_cli_exec", "docker_cli_exec", "exec", 5),
            Faster("exec_vs_docker_api_exec", "docker_api_exec", "exec", 1),
            Faster("cold_create_vs_docker_run", "docker_run", "cold_create", 1),

            // docker run on the product's own engine includes removing the container, which is
            // slow on btrfs; against a plain engine (when this host has one) it is the fair baseline.
            Faster("cold_create_vs_docker_run_plain_engine", "docker_run_plain_engine", "cold_create", null),

            // What the confinement costs docker run itself: the own engine (userns remap, btrfs)
            // over the plain one, and a disk limit over none on the own engine.
            Compare("own_engine_docker_run_x", P("docker_run", 50) / P("docker_run_plain_engine", 50), null),
            Compare("disk_limit_docker_run_x", P("docker_run_disk_limit", 50) / P("docker_run", 50), null),
            Faster("wake_vs_docker_start_exec", "docker_start_exec", "wake", null),
            Higher("exec_throughput_vs_docker_api", "exec_throughput", "docker_api_exec_throughput", null),
            Higher("file_write_100mb_vs_docker_cp_in", "file_write_100mb", "docker_cp_in_100mb", 1),
            Higher("file_read_100mb_vs_docker_cp_out", "file_read_100mb", "docker_cp_out_100mb", 1),

            // How many times longer a request takes through the preview URL than inside the sandbox.
            Compare("preview_overhead_x", P("preview_request", 50) / P("preview_direct_request", 50), null),

            // What a new sandbox's first runCode costs over its first exec: the interpreter's start.
            Compare("code_first_run_over_first_exec_x", P("code_first_run", 50) / P("code_first_exec", 50), null),

            // What forwarding a call to the sandbox's own silo costs, against calling that silo.
            AtMost("exec_relayed_over_owner_x", P("exec_relayed", 50) / P("exec_owner", 50), 1.3),
            Higher("file_read_100mb_relayed_vs_owner", "file_read_100mb_relayed", "file_read_100mb_owner", 0.7),

            // What three hosts buy a burst of creates over one (all on this machine's cores).
            Higher("create_burst_3hosts_vs_1host", "create_burst_3hosts", "create_burst_1host", null),
        };
        var perSandbox = P("silo_kb_per_idle_sandbox", 50);
        ratios.Add(new Ratio("silo_kb_per_idle_sandbox", perSandbox, "< 1024 KB", double.IsNaN(perSandbox) ? null : perSandbox < 1024));
        return ratios.Where(r => !double.IsNaN(r.Value)).ToList();
    }

    /// <summary>How many times faster the product's median latency is than the baseline's.</summary>
    private Ratio Faster(string name, string baseline, string product, double? atLeast) =>
        Compare(name, P(baseline, 50) / P(product, 50), atLeast);

    private Ratio Higher(string name, string product, string baseline, double? atLeast) =>
        Compare(name, P(product, 50) / P(baseline, 50), atLeast);

    /// <summary>A cost factor that must stay at or under <paramref name="limit"/>.</summary>
    private static Ratio AtMost(string name, double value, double limit) =>
        new(name, value, $"<= {limit}x", double.IsNaN(value) ? null : value <= limit);

    private static Ratio Compare(string name, double value, double? atLeast) =>
        new(name, value, atLeast is { } t ? $">= {t}x" : "reported", atLeast is { } target && !double.IsNaN(value) ? value >= target : null);

    private double P(string metric, double percentile) =>
        metrics.FirstOrDefault(m => m.Name == metric)?.Percentile(percentile) ?? double.NaN;
}
