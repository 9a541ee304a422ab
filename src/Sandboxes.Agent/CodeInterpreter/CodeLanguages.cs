using Grpc.Core;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.CodeInterpreter;

/// <summary>The languages a context can run, their names, and the runner that runs each.</summary>
public static class CodeLanguages
{
    public static readonly CodeLanguage[] All = [CodeLanguage.Python, CodeLanguage.Javascript, CodeLanguage.Typescript];

    /// <summary>Unspecified means Python, the notebook default.</summary>
    public static CodeLanguage Resolve(CodeLanguage language) => language switch
    {
        CodeLanguage.Unspecified => CodeLanguage.Python,
        CodeLanguage.Python or CodeLanguage.Javascript or CodeLanguage.Typescript => language,
        _ => throw new RpcException(new Status(StatusCode.InvalidArgument, $"unknown code language {(int)language}; use python, javascript or typescript")),
    };

    public static string Name(CodeLanguage language) => language switch
    {
        CodeLanguage.Javascript => "javascript",
        CodeLanguage.Typescript => "typescript",
        _ => "python",
    };

    public static bool TryParse(string name, out CodeLanguage language)
    {
        language = name.Trim().ToLowerInvariant() switch
        {
            "python" or "py" => CodeLanguage.Python,
            "javascript" or "js" => CodeLanguage.Javascript,
            "typescript" or "ts" => CodeLanguage.Typescript,
            _ => CodeLanguage.Unspecified,
        };
        return language != CodeLanguage.Unspecified;
    }

    /// <summary>The interpreter and its arguments, with the runner scripts that ship beside sandboxd.</summary>
    public static (string Executable, string[] Argv) Command(CodeLanguage language, string runnerDirectory) => language switch
    {
        CodeLanguage.Python => ("/usr/bin/python3", ["python3", "-u", Path.Combine(runnerDirectory, "python_runner.py")]),
        _ => ("/usr/bin/node", ["node", Path.Combine(runnerDirectory, "node_runner.js"), Name(language)]),
    };
}
