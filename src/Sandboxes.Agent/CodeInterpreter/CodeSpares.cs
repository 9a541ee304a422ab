using Grpc.Core;
using Sandboxes.Agent.Exec;
using Sandboxes.Agent.Processes;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.CodeInterpreter;

/// <summary>
/// One warm interpreter per prestarted language (sandboxd's --code-prestart), so creating a
/// context or running the first code does not wait for an interpreter to load. A claimed
/// spare is replaced once the claimed one is ready.
/// </summary>
public sealed class CodeSpares : IDisposable
{
    private static readonly TimeSpan PrestartDelay = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly Dictionary<CodeLanguage, RunnerProcess> _spares = [];
    private readonly HashSet<CodeLanguage> _prestart;
    private readonly ProcessSpawner _spawner;
    private readonly ExecEnvironment _environment;
    private readonly ILogger<CodeSpares> _logger;
    private readonly string _runnerDirectory;
    private bool _disposed;

    public CodeSpares(ProcessSpawner spawner, ExecEnvironment environment, IConfiguration configuration, ILogger<CodeSpares> logger)
    {
        _spawner = spawner;
        _environment = environment;
        _logger = logger;
        _runnerDirectory = Path.Combine(AppContext.BaseDirectory, "runners");
        _prestart = ParsePrestart(configuration["code-prestart"]);
    }

    /// <summary>
    /// Starts the spares a second after the agent starts. Loading an interpreter takes about
    /// 300 ms of CPU; started at once it would compete with the sandbox's first call on a
    /// small host. A code call before then starts its interpreter itself.
    /// </summary>
    public void Prestart() =>
        _ = Task.Delay(PrestartDelay).ContinueWith(
            _ =>
            {
                foreach (var language in _prestart)
                {
                    EnsureSpare(language);
                }
            },
            TaskScheduler.Default);

    /// <summary>The warm spare if there is a live one, else a fresh interpreter (FAILED_PRECONDITION when the image lacks it).</summary>
    public RunnerProcess Claim(CodeLanguage language)
    {
        RunnerProcess? spare;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _spares.Remove(language, out spare);
        }

        RunnerProcess runner;
        if (spare is not null && !spare.Closed.IsCompleted)
        {
            runner = spare;
        }
        else
        {
            spare?.Kill();
            runner = Spawn(language);
        }

        if (_prestart.Contains(language))
        {
            // Not at once: two interpreters loading side by side would each take twice as long.
            _ = runner.Ready.ContinueWith(_ => EnsureSpare(language), TaskScheduler.Default);
        }

        return runner;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (var spare in _spares.Values)
            {
                spare.Kill();
            }
        }
    }

    private void EnsureSpare(CodeLanguage language)
    {
        lock (_lock)
        {
            if (_disposed || (_spares.TryGetValue(language, out var spare) && !spare.Closed.IsCompleted))
            {
                return;
            }

            try
            {
                _spares[language] = Spawn(language);
            }
            catch (RpcException e)
            {
                CodeInterpreterLog.PrestartFailed(_logger, CodeLanguages.Name(language), e.Status.Detail);
            }
        }
    }

    private RunnerProcess Spawn(CodeLanguage language)
    {
        var environment = _environment.With([]).Select(e => $"{e.Key}={e.Value}").ToList();
        try
        {
            return RunnerProcess.Start(_spawner, language, _runnerDirectory, environment, _logger);
        }
        catch (SpawnException e)
        {
            var missing = e.Errno == Native.Errno.ENOENT;
            throw new RpcException(new Status(
                missing ? StatusCode.FailedPrecondition : StatusCode.ResourceExhausted,
                $"could not start a {CodeLanguages.Name(language)} interpreter: {e.Message}" +
                (missing ? $" (this image lacks {CodeLanguages.Command(language, _runnerDirectory).Executable})" : "")));
        }
    }

    private static HashSet<CodeLanguage> ParsePrestart(string? value)
    {
        var languages = new HashSet<CodeLanguage>();
        foreach (var name in (value ?? "python").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (name != "none" && CodeLanguages.TryParse(name, out var language))
            {
                languages.Add(language);
            }
        }

        return languages;
    }
}
