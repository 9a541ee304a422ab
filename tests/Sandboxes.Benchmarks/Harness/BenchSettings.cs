namespace Sandboxes.Benchmarks.Harness;

/// <summary>How many rounds each benchmark runs; --quick trades precision for a run under 3 minutes.</summary>
public sealed record BenchSettings(bool Quick)
{
    public int WarmUp => 3;

    public int ColdCreateRounds => Quick ? 5 : 20;

    public int ExecRounds => Quick ? 200 : 1000;

    public int DockerCliExecRounds => Quick ? 30 : 100;

    public int DockerApiExecRounds => Quick ? 100 : 300;

    public TimeSpan ThroughputWindow => Quick ? TimeSpan.FromSeconds(4) : TimeSpan.FromSeconds(15);

    public int ThroughputClients => 8;

    public int ThroughputSandboxes => 4;

    public int WakeRounds => Quick ? 3 : 12;

    public int LargeFileRounds => Quick ? 3 : 10;

    public int SmallFileRounds => Quick ? 10 : 30;

    /// <summary>Blocks of preview requests, alternating with blocks of direct ones.</summary>
    public int PreviewBlocks => Quick ? 4 : 10;

    public int PreviewBlockSize => Quick ? 25 : 50;

    public int TerminalKeystrokes => Quick ? 50 : 200;

    public int CodeRuns => Quick ? 50 : 300;

    public int CodeContextRounds => Quick ? 3 : 10;

    public int CodeFirstRunRounds => Quick ? 3 : 10;

    public int[] IdleSandboxCounts => Quick ? [10, 30] : [10, 50, 100];

    /// <summary>
    /// Creates per burst on a cluster, as many at a time as <see cref="BurstConcurrency"/>;
    /// --quick makes one wave of them, not six, so that its run stays short.
    /// </summary>
    public int BurstCreates => Quick ? 16 : 100;

    public int BurstConcurrency => 16;

    /// <summary>Bursts on each cluster (three hosts, one host), alternating.</summary>
    public int BurstRounds => Quick ? 1 : 3;

    /// <summary>Density stops here even without a failure; the README names this bound.</summary>
    public int DensityCap => Quick ? 0 : 200;
}
