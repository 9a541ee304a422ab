using Microsoft.Extensions.Options;
using Sandboxes.Silo.Api;

namespace Sandboxes.Silo.Hosting;

/// <summary>Refuses to start with settings that would fail later, naming the setting to fix.</summary>
public sealed class SandboxesOptionsValidator : IValidateOptions<SandboxesOptions>
{
    public ValidateOptionsResult Validate(string? name, SandboxesOptions options)
    {
        var failures = new List<string>();
        if (!Path.IsPathRooted(options.DataRoot))
        {
            failures.Add($"Sandboxes:DataRoot must be an absolute path, not '{options.DataRoot}'.");
        }

        // Socket paths must fit in sun_path (108 bytes) with the longest name.
        var longestSocket = Path.Combine(options.EgressDirectory, new string('x', SandboxName.MaxLength), "proxy.sock");
        if (longestSocket.Length > 107)
        {
            failures.Add($"Sandboxes:DataRoot '{options.DataRoot}' is too long: socket paths would exceed 107 bytes. Use a shorter folder.");
        }

        if (string.IsNullOrWhiteSpace(options.Owner) || options.Owner.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            failures.Add("Sandboxes:Owner must be non-empty and use only letters, digits, '-', '_' and '.'.");
        }

        if (options.DefaultCpus <= 0 || options.DefaultMemoryBytes < 16L << 20 || options.DefaultPidsLimit < 16)
        {
            failures.Add("Sandboxes:DefaultCpus must be > 0, DefaultMemoryBytes at least 16 MiB and DefaultPidsLimit at least 16.");
        }

        if (options.MaxAwakeWithoutCalls <= TimeSpan.Zero)
        {
            failures.Add($"Sandboxes:MaxAwakeWithoutCalls must be a positive time span (e.g. 04:00:00), not {options.MaxAwakeWithoutCalls}.");
        }

        if (options.MaxDiskBytes < SandboxSpecs.MinDiskBytes || options.DefaultDiskBytes < SandboxSpecs.MinDiskBytes || options.DefaultDiskBytes > options.MaxDiskBytes)
        {
            failures.Add($"Sandboxes:DefaultDiskBytes ({options.DefaultDiskBytes}) must be at least {SandboxSpecs.MinDiskBytes >> 20} MiB and at most Sandboxes:MaxDiskBytes ({options.MaxDiskBytes}).");
        }

        var languages = options.CodePrestart.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (languages.Length == 0 || languages.Any(l => l is not ("python" or "javascript" or "typescript" or "none")) || (languages.Contains("none") && languages.Length > 1))
        {
            failures.Add($"Sandboxes:CodePrestart must be a comma list of python, javascript and typescript, or 'none', not '{options.CodePrestart}'.");
        }

        foreach (var (setting, url) in new[] { ("GrpcUrl", options.GrpcUrl), ("HttpUrl", options.HttpUrl) })
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https") || parsed.Port <= 0)
            {
                failures.Add($"Sandboxes:{setting} must be an http:// or https:// URL with a port, not '{url}'.");
            }
        }

        if (Uri.TryCreate(options.GrpcUrl, UriKind.Absolute, out var grpc) && Uri.TryCreate(options.HttpUrl, UriKind.Absolute, out var http) && grpc.Port == http.Port)
        {
            failures.Add($"Sandboxes:GrpcUrl and Sandboxes:HttpUrl need different ports (both are {grpc.Port}).");
        }

        if (!Cluster.HostNames.IsValid(options.ResolvedHostName))
        {
            failures.Add($"Sandboxes:HostName must be a lowercase DNS name (labels of a-z, 0-9 and '-' joined by dots), not '{options.ResolvedHostName}'. Set it when the machine's own name is not one.");
        }

        if (!System.Net.IPAddress.TryParse(options.AdvertisedAddress, out _))
        {
            failures.Add($"Sandboxes:AdvertisedAddress must be an IP address, not '{options.AdvertisedAddress}'.");
        }

        foreach (var (setting, url) in new[] { ("PeerGrpcUrl", options.ResolvedPeerGrpcUrl), ("PeerHttpUrl", options.ResolvedPeerHttpUrl) })
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https") || parsed.Port <= 0
                || parsed.Host is "0.0.0.0" or "[::]" or "*" or "+")
            {
                failures.Add($"Sandboxes:{setting} must be an http:// or https:// URL with a port that other silos can reach (not a listen-on-all address), not '{url}'.");
            }
        }

        if (options.MaxRunningSandboxes < 1 || options.MaxConcurrentStarts < 1)
        {
            failures.Add($"Sandboxes:MaxRunningSandboxes ({options.MaxRunningSandboxes}) and Sandboxes:MaxConcurrentStarts ({options.MaxConcurrentStarts}) must be at least 1.");
        }

        if (!File.Exists(Path.Combine(options.ResolvedAgentDirectory, "sandboxd")))
        {
            failures.Add($"No sandboxd binary in '{options.ResolvedAgentDirectory}'. Publish src/Sandboxes.Agent there (run.sh does) or set Sandboxes:AgentDirectory.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
