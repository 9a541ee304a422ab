using Grpc.Core;
using Sandboxes.Agent.Exec;
using Sandboxes.Agent.Files;
using Sandboxes.Agent.Processes;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.CodeInterpreter;

/// <summary>
/// The sandbox's code contexts, plus one warm spare interpreter per prestarted language
/// (sandboxd's --code-prestart), so creating a context or running the first code does not
/// wait for an interpreter to load. A claimed spare is replaced in the background.
/// </summary>
public sealed class CodeContextTable : IDisposable
{
    public const string DefaultCwd = "/workspace";

    // Each context is a whole interpreter (about 50 MB); a runaway loop of creates must hit
    // this rather than the sandbox's memory limit.
    public const int MaxContexts = 32;

    private static readonly TimeSpan PrestartDelay = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, CodeContext> _contexts = new(StringComparer.Ordinal);
    private readonly Dictionary<CodeLanguage, RunnerProcess> _spares = [];
    private readonly HashSet<CodeLanguage> _prestart;
    private readonly ProcessSpawner _spawner;
    private readonly ExecEnvironment _environment;
    private readonly ILogger<CodeContextTable> _logger;
    private readonly string _runnerDirectory;
    private bool _disposed;

    public CodeContextTable(ProcessSpawner spawner, ExecEnvironment environment, IConfiguration configuration, ILogger<CodeContextTable> logger)
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
                    lock (_lock)
                    {
                        EnsureSpare(language);
                    }
                }
            },
            TaskScheduler.Default);

    public CodeContext Create(CreateCodeContextRequest request) =>
        Create(CodeLanguages.Resolve(request.Language), request.Cwd, request.Env, isDefault: false);

    public CodeContext Get(string id)
    {
        lock (_lock)
        {
            return _contexts.TryGetValue(id, out var context)
                ? context
                : throw new RpcException(new Status(StatusCode.NotFound, $"no code context '{id}' in this sandbox (contexts do not survive a sleep or restart); create one"));
        }
    }

    /// <summary>The language's default context: created on first use, and again after it ended.</summary>
    public CodeContext GetDefault(CodeLanguage language)
    {
        var id = CodeLanguages.Name(language);
        lock (_lock)
        {
            if (_contexts.TryGetValue(id, out var existing))
            {
                if (existing.IsAlive)
                {
                    return existing;
                }

                _contexts.Remove(id);
            }
        }

        return Create(language, "", new Dictionary<string, string>(), isDefault: true);
    }

    public void Delete(string id)
    {
        CodeContext? context;
        lock (_lock)
        {
            _contexts.Remove(id, out context);
        }

        (context ?? throw new RpcException(new Status(StatusCode.NotFound, $"no code context '{id}' in this sandbox"))).Kill("deleted");
    }

    public List<CodeContext> All()
    {
        lock (_lock)
        {
            return [.. _contexts.Values.OrderBy(c => c.CreatedAt)];
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (var context in _contexts.Values)
            {
                context.Kill("the agent stopped");
            }

            foreach (var spare in _spares.Values)
            {
                spare.Kill();
            }
        }
    }

    private CodeContext Create(CodeLanguage language, string cwd, IDictionary<string, string> env, bool isDefault)
    {
        ExecEnvironment.Validate(env);
        var directory = ResolveCwd(cwd);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_contexts.Count >= MaxContexts)
            {
                throw new RpcException(new Status(StatusCode.ResourceExhausted, $"this sandbox already has {MaxContexts} code contexts; delete one first"));
            }

            var id = isDefault ? CodeLanguages.Name(language) : NewId();
            if (_contexts.TryGetValue(id, out var raced))
            {
                // Two first calls raced to create the default; the other one won.
                return raced;
            }

            var runner = ClaimSpare(language);
            try
            {
                Configure(runner, directory, env);
            }
            catch (IOException e)
            {
                runner.Kill();
                throw new RpcException(new Status(StatusCode.Unavailable, $"the {CodeLanguages.Name(language)} interpreter ended as it started ({e.Message}); try again"));
            }

            var context = new CodeContext(id, runner, directory, isDefault);
            _contexts[id] = context;
            return context;
        }
    }

    private static void Configure(RunnerProcess runner, string directory, IDictionary<string, string> env) =>
        runner.Send(json =>
        {
            json.WriteStartObject();
            json.WriteString("op", "configure");
            json.WriteString("cwd", directory);
            json.WriteStartObject("env");
            foreach (var (name, value) in env)
            {
                json.WriteString(name, value);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        });

    private string NewId()
    {
        while (true)
        {
            var id = ProcessIds.ValidateOrGenerate("", "context id", "ctx");
            if (!_contexts.ContainsKey(id) && !CodeLanguages.TryParse(id, out _))
            {
                return id;
            }
        }
    }

    /// <summary>The warm spare if there is a live one (then a new spare starts), else a fresh interpreter.</summary>
    private RunnerProcess ClaimSpare(CodeLanguage language)
    {
        RunnerProcess runner;
        if (_spares.Remove(language, out var spare) && !spare.Closed.IsCompleted)
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
            _ = runner.Ready.ContinueWith(
                _ =>
                {
                    lock (_lock)
                    {
                        EnsureSpare(language);
                    }
                },
                TaskScheduler.Default);
        }

        return runner;
    }

    private void EnsureSpare(CodeLanguage language)
    {
        if (_disposed || (_spares.TryGetValue(language, out var spare) && !spare.Closed.IsCompleted))
        {
            return;
        }

        try
        {
            _spares[language] = Spawn(language);
        }
        catch (SpawnException e)
        {
            _logger.LogWarning("could not prestart a {Language} interpreter: {Error}", CodeLanguages.Name(language), e.Message);
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
            throw new RpcException(new Status(
                e.Errno == Native.Errno.ENOENT ? StatusCode.FailedPrecondition : StatusCode.ResourceExhausted,
                $"could not start a {CodeLanguages.Name(language)} interpreter: {e.Message}" +
                (e.Errno == Native.Errno.ENOENT ? $" (this image lacks {CodeLanguages.Command(language, _runnerDirectory).Executable})" : "")));
        }
    }

    private static string ResolveCwd(string cwd)
    {
        if (cwd.Length == 0)
        {
            Directory.CreateDirectory(DefaultCwd);
            return DefaultCwd;
        }

        var directory = SandboxPath.Resolve(cwd, "cwd");
        return Directory.Exists(directory)
            ? directory
            : throw new RpcException(new Status(StatusCode.NotFound, $"working directory '{directory}' does not exist"));
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
