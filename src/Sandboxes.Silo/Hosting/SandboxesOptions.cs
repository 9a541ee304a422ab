namespace Sandboxes.Silo.Hosting;

/// <summary>Settings of one silo, bound from the "Sandboxes" configuration section.</summary>
public sealed class SandboxesOptions
{
    public const string Section = "Sandboxes";

    /// <summary>Root of the per-sandbox host folders and the agent binary.</summary>
    public string DataRoot { get; set; } = "/var/lib/sandboxes";

    /// <summary>Folder holding the published sandboxd binary; defaults to DataRoot/agent.</summary>
    public string? AgentDirectory { get; set; }

    /// <summary>Value of the owner label on every container, so orphans can be found and reaped.</summary>
    public string Owner { get; set; } = "sandboxes";

    public string DefaultImage { get; set; } = "sandboxes/sandbox:latest";

    public double DefaultCpus { get; set; } = 1;

    public long DefaultMemoryBytes { get; set; } = 1L << 30;

    public int DefaultPidsLimit { get; set; } = 512;

    /// <summary>
    /// Disk a sandbox may add on top of its image (files it writes, packages it installs),
    /// enforced by the kernel: past it, writes fail with "Disk quota exceeded".
    /// </summary>
    public long DefaultDiskBytes { get; set; } = 10L << 30;

    /// <summary>The most disk a create may ask for; above it the create is refused with INVALID_ARGUMENT.</summary>
    public long MaxDiskBytes { get; set; } = 100L << 30;

    public TimeSpan DefaultSleepAfter { get; set; } = SleepPolicy.DefaultSleepAfter;

    /// <summary>
    /// The longest a sandbox stays awake with no call from outside (API call, stream or preview
    /// request), whatever its agent reports (processes still running): then it sleeps. Sandboxes
    /// created with keep_alive are the explicit exception.
    /// </summary>
    public TimeSpan MaxAwakeWithoutCalls { get; set; } = TimeSpan.FromHours(4);

    /// <summary>
    /// Languages whose interpreter each sandbox loads ahead of time, so its first runCode
    /// (and each new code context) starts warm: a comma list of python, javascript and
    /// typescript, or "none". Each costs a running sandbox about 36 MB of memory (Python),
    /// 40 MB (JavaScript) or 85 MB (TypeScript); a language not listed pays its start-up
    /// (0.15 to 0.5 s) at its first use instead.
    /// </summary>
    public string CodePrestart { get; set; } = "python";

    /// <summary>
    /// The product's own engine (.ci/prepare-host.sh engine starts it; run.sh passes its socket).
    /// It must remap users and store containers on btrfs with quotas, or the silo refuses to start.
    /// </summary>
    public string DockerEndpoint { get; set; } = "unix:///var/lib/sandboxes/engine/docker.sock";

    /// <summary>
    /// Development only: accept an engine without user remapping or disk quotas (the system
    /// Docker). Root in a sandbox is then root on the host, and sandboxes have no disk limit.
    /// </summary>
    public bool AllowUnconfinedEngine { get; set; }

    /// <summary>How long a starting container's agent may take to answer.</summary>
    public TimeSpan AgentReadyTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Azure Storage (Tables) for clustering and grain state; Azurite locally.</summary>
    public string StorageConnectionString { get; set; } = "UseDevelopmentStorage=true";

    public string ClusterId { get; set; } = "sandboxes-local";

    public string ServiceId { get; set; } = "sandboxes";

    /// <summary>
    /// This host's name in the cluster (a DNS label): sandboxes record it, `sbx ls` shows it,
    /// and placement hints name it. Defaults to the machine's name; in Kubernetes, the node's.
    /// </summary>
    public string? HostName { get; set; }

    /// <summary>
    /// The address other silos reach this one's Orleans endpoints on. Loopback (the default)
    /// makes a one-machine cluster; any other address makes the silo listen on all addresses.
    /// </summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// Whether silos speak TLS to each other on the Orleans port, with the certificate of
    /// Tls:CertificatePath, and accept only a peer that presents that same certificate. Null
    /// (the default) means: when AdvertisedAddress is not loopback, and then it is required.
    /// </summary>
    public bool? SiloTls { get; set; }

    public bool ResolvedSiloTls => SiloTls ?? !System.Net.IPAddress.IsLoopback(System.Net.IPAddress.TryParse(AdvertisedAddress, out var address) ? address : System.Net.IPAddress.Loopback);

    /// <summary>Where other silos send calls for this host's sandboxes (gRPC); defaults to GrpcUrl.</summary>
    public string? PeerGrpcUrl { get; set; }

    /// <summary>Where other silos send preview and terminal requests for this host's sandboxes; defaults to HttpUrl.</summary>
    public string? PeerHttpUrl { get; set; }

    /// <summary>
    /// The secret every silo of the cluster shares, which authenticates calls one silo forwards
    /// to another. Set it, or ClusterSecretFile; with neither, the silo makes one in
    /// DataRoot/cluster.secret, which serves a one-host cluster only.
    /// </summary>
    public string? ClusterSecret { get; set; }

    /// <summary>A file holding the cluster secret (see ClusterSecret).</summary>
    public string? ClusterSecretFile { get; set; }

    /// <summary>The most sandboxes this host runs at once; placement skips a full host.</summary>
    public int MaxRunningSandboxes { get; set; } = 200;

    /// <summary>
    /// How many containers this host starts at once. More callers wait in line, each until its
    /// deadline: one that cannot start in time is refused up front (RESOURCE_EXHAUSTED).
    /// </summary>
    public int MaxConcurrentStarts { get; set; } = 4;

    /// <summary>
    /// How long a stopping silo may take to hand its grains over and finish calls. Keep it
    /// below the time the process is given to stop (a pod's grace period) so it stops cleanly.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(25);

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// Where the public gRPC API listens (HTTP/2). Loopback by default. Beyond loopback it must
    /// be https:// (with Tls:CertificatePath and Tls:KeyPath); the silo refuses to start otherwise.
    /// </summary>
    public string GrpcUrl { get; set; } = "http://127.0.0.1:50051";

    /// <summary>Where preview URLs, the console and terminals are served (HTTP/1.1). Loopback by default; https:// beyond it, like the gRPC API.</summary>
    public string HttpUrl { get; set; } = "http://127.0.0.1:50080";

    /// <summary>HostName, or the machine's name made into a DNS label ("host" when nothing of it is left).</summary>
    public string ResolvedHostName => HostName ?? MachineLabel();

    public string ResolvedPeerGrpcUrl => PeerGrpcUrl ?? Reachable(GrpcUrl);

    public string ResolvedPeerHttpUrl => PeerHttpUrl ?? Reachable(HttpUrl);

    public string ResolvedAgentDirectory => AgentDirectory ?? Path.Combine(DataRoot, "agent");

    public string BoxesDirectory => Path.Combine(DataRoot, "boxes");

    /// <summary>Per-sandbox folders holding the silo's egress proxy sockets.</summary>
    public string EgressDirectory => Path.Combine(DataRoot, "egress");

    /// <summary>A listening URL as other silos reach it: one that listens on every address is reached at the advertised one.</summary>
    private string Reachable(string listening)
    {
        if (!Uri.TryCreate(listening, UriKind.Absolute, out var url) || url.Host is not ("0.0.0.0" or "[::]" or "::" or "*" or "+"))
        {
            return listening;
        }

        var host = System.Net.IPAddress.TryParse(AdvertisedAddress, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{AdvertisedAddress}]" : AdvertisedAddress;
        return $"{url.Scheme}://{host}:{url.Port}";
    }

    private static string MachineLabel()
    {
        var name = System.Net.Dns.GetHostName().Split('.')[0].ToLowerInvariant();
        var label = new string([.. name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]).Replace("--", "-", StringComparison.Ordinal);
        label = label.Length > 32 ? label[..32] : label;
        label = label.Trim('-');
        return label.Length > 0 ? label : "host";
    }
}
