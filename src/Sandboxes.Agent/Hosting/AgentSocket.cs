using Microsoft.Extensions.Configuration;

namespace Sandboxes.Agent.Hosting;

/// <summary>The Unix socket the agent serves on, from <c>--socket PATH</c>.</summary>
public static class AgentSocket
{
    /// <summary>Where the silo expects the socket: its host folder is bind-mounted at /.sandboxes/run.</summary>
    public const string DefaultPath = "/.sandboxes/run/agent.sock";

    /// <summary>Reads the path, creates its folder and removes a socket left by an earlier run.</summary>
    public static string Path(IConfiguration configuration)
    {
        var path = configuration["socket"];
        return string.IsNullOrWhiteSpace(path) ? DefaultPath : System.IO.Path.GetFullPath(path);
    }

    public static string Prepare(IConfiguration configuration)
    {
        var path = Path(configuration);

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path) ?? "/");

        // A socket file outlives the process that bound it (the folder is on the host), and
        // binding over it would fail with "address in use".
        if (File.Exists(path))
        {
            File.Delete(path);
        }

        return path;
    }
}
