using Grpc.Core;
using Sandboxes.Agent.Files;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.Exec;

/// <summary>An <see cref="ExecRequest"/> checked and resolved into what posix_spawn takes.</summary>
public sealed class ExecCommand
{
    private ExecCommand(string executable, IReadOnlyList<string> argv, IReadOnlyList<string> environment, string workingDirectory, TimeSpan? timeout)
    {
        Executable = executable;
        Argv = argv;
        Environment = environment;
        WorkingDirectory = workingDirectory;
        Timeout = timeout;
    }

    public string Executable { get; }

    public IReadOnlyList<string> Argv { get; }

    /// <summary>"NAME=value" entries.</summary>
    public IReadOnlyList<string> Environment { get; }

    public string WorkingDirectory { get; }

    public TimeSpan? Timeout { get; }

    /// <summary>Checks the request; throws an RpcException whose message says what to fix.</summary>
    public static ExecCommand Parse(ExecRequest request, ExecEnvironment baseEnvironment)
    {
        var hasCommand = request.Command.Length > 0;
        var hasArgv = request.Argv.Count > 0;
        if (hasCommand == hasArgv)
        {
            throw Invalid("set exactly one of command (a shell command line) and argv (an argument vector)");
        }

        List<string> argv = hasCommand ? ["/bin/sh", "-c", request.Command] : [.. request.Argv];
        if (argv[0].Length == 0)
        {
            throw Invalid("argv[0] is empty; it must name the program to run");
        }

        if (argv.Exists(a => a.Contains('\0', StringComparison.Ordinal)))
        {
            throw Invalid("command and argv must not contain NUL characters");
        }

        ExecEnvironment.Validate(request.Env);

        var timeout = ParseTimeout(request);
        var workingDirectory = ResolveWorkingDirectory(request.Cwd);
        var environment = baseEnvironment.With(request.Env);
        if (hasCommand && !File.Exists("/bin/sh"))
        {
            throw new RpcException(new Status(StatusCode.NotFound, "this image has no /bin/sh to run a command line; pass argv instead"));
        }

        var executable = hasCommand ? "/bin/sh" : CommandLookup.Resolve(argv[0], environment["PATH"], workingDirectory);

        return new ExecCommand(executable, argv, [.. environment.Select(e => $"{e.Key}={e.Value}")], workingDirectory, timeout);
    }

    private static TimeSpan? ParseTimeout(ExecRequest request)
    {
        if (request.Timeout is null)
        {
            return null;
        }

        var timeout = request.Timeout.ToTimeSpan();
        if (timeout < TimeSpan.Zero)
        {
            throw Invalid($"timeout {timeout} is negative");
        }

        return timeout == TimeSpan.Zero ? null : timeout;
    }

    private static string ResolveWorkingDirectory(string cwd)
    {
        if (cwd.Length == 0)
        {
            return DefaultWorkingDirectory();
        }

        var path = SandboxPath.Resolve(cwd, "cwd");
        if (!FileStatus.TryGet(path, follow: true, out var status, out _))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"working directory '{path}' does not exist"));
        }

        return status.IsDirectory ? path : throw Invalid($"working directory '{path}' is not a directory");
    }

    private static string DefaultWorkingDirectory()
    {
        try
        {
            // Some images have no /root; commands still get a home to start in.
            Directory.CreateDirectory(SandboxPath.Home);
            return SandboxPath.Home;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "/";
        }
    }

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
