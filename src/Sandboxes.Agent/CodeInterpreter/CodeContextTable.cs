using Grpc.Core;
using Sandboxes.Agent.Exec;
using Sandboxes.Agent.Files;
using Sandboxes.Agent.Processes;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.CodeInterpreter;

/// <summary>The sandbox's code contexts by id, each claiming a warm interpreter from <see cref="CodeSpares"/>.</summary>
public sealed class CodeContextTable(CodeSpares spares) : IDisposable
{
    public const string DefaultCwd = "/workspace";

    // Each context is a whole interpreter (about 50 MB); a runaway loop of creates must hit
    // this rather than the sandbox's memory limit.
    public const int MaxContexts = 32;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, CodeContext> _contexts = new(StringComparer.Ordinal);
    private bool _disposed;

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

            var runner = spares.Claim(language);
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
}
