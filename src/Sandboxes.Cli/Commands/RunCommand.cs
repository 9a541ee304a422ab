using System.CommandLine;
using System.Globalization;
using Sandboxes.Client;
using Sandboxes.Protocol;

namespace Sandboxes.Cli.Commands;

/// <summary>
/// sbx run: code in a context of the code interpreter. Output streams as it comes; text results
/// print, image results are written to files whose paths print. Exit 0, 1 when the code raised,
/// 124 when the timeout interrupted it.
/// </summary>
public static class RunCommand
{
    public static Command Build(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Sandbox name; created with defaults if missing" };
        var file = new Argument<string>("file") { Description = "File with the code, or - for stdin" };
        var language = new Option<string?>("--lang", "-l") { Description = "python (default), javascript or typescript; ignored with --context" };
        var contextId = new Option<string?>("--context", "-c") { Description = "Run in this context (sbx context create); default: the language's default context" };
        var timeout = new Option<string?>("--timeout", "-t") { Description = "Interrupt the code after this long, e.g. 30s (default 5m)" };
        var output = new Option<string>("--out", "-o") { Description = "Folder for image results (default: the current folder)", DefaultValueFactory = _ => "." };
        var command = new Command("run", "Run code in the sandbox's code interpreter; variables persist between runs") { name, file, language, contextId, timeout, output };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            var path = parse.GetValue(file)!;
            var code = path == "-" ? await Console.In.ReadToEndAsync(cancellationToken) : await File.ReadAllTextAsync(path, cancellationToken);
            var options = new RunCodeOptions
            {
                ContextId = parse.GetValue(contextId),
                Language = parse.GetValue(language) is { } l ? ParseLanguage(l) : CodeLanguage.Unspecified,
                Timeout = parse.GetValue(timeout) is { } t ? Units.ParseDuration(t) : null,
            };
            var folder = parse.GetValue(output)!;
            using var client = context.Connect(parse);
            var box = client.Sandbox(parse.GetValue(name)!);
            var failed = false;
            var results = 0;
            await foreach (var e in box.RunCodeStreamAsync(code, options, cancellationToken))
            {
                switch (e.EventCase)
                {
                    case ExecutionEvent.EventOneofCase.Stdout:
                        await Console.Out.WriteAsync(e.Stdout);
                        break;
                    case ExecutionEvent.EventOneofCase.Stderr:
                        await Console.Error.WriteAsync(e.Stderr);
                        break;
                    case ExecutionEvent.EventOneofCase.Result:
                        await PrintResultAsync(e.Result, folder, box.Name, ++results, cancellationToken);
                        break;
                    case ExecutionEvent.EventOneofCase.Error:
                        failed = true;
                        await Console.Error.WriteLineAsync(e.Error.Traceback.Length > 0 ? e.Error.Traceback : $"{e.Error.Name}: {e.Error.Message}");
                        break;
                    case ExecutionEvent.EventOneofCase.Complete when e.Complete.Interrupted == InterruptReason.Timeout:
                        await Console.Error.WriteLineAsync($"sbx: interrupted by the timeout; context '{e.Complete.ContextId}' kept its state");
                        return CliContext.TimedOut;
                }
            }

            return failed ? 1 : 0;
        }));
        return command;
    }

    internal static CodeLanguage ParseLanguage(string text) => text.Trim().ToLowerInvariant() switch
    {
        "python" or "py" => CodeLanguage.Python,
        "javascript" or "js" => CodeLanguage.Javascript,
        "typescript" or "ts" => CodeLanguage.Typescript,
        _ => throw new FormatException($"unknown language '{text}': use python, javascript or typescript"),
    };

    private static async Task PrintResultAsync(ExecutionResult result, string folder, string sandbox, int index, CancellationToken cancellationToken)
    {
        var images = new List<(string Extension, byte[] Bytes)>();
        if (!result.Png.IsEmpty)
        {
            images.Add(("png", result.Png.ToByteArray()));
        }

        if (!result.Jpeg.IsEmpty)
        {
            images.Add(("jpg", result.Jpeg.ToByteArray()));
        }

        if (result.Svg.Length > 0)
        {
            images.Add(("svg", System.Text.Encoding.UTF8.GetBytes(result.Svg)));
        }

        foreach (var (extension, bytes) in images)
        {
            Directory.CreateDirectory(folder);
            var path = Path.GetFullPath(Path.Combine(folder, $"{sandbox}-{DateTime.Now.ToString("HHmmss", CultureInfo.InvariantCulture)}-{index}.{extension}"));
            await File.WriteAllBytesAsync(path, bytes, cancellationToken);
            Console.WriteLine($"[{extension}] {path}");
        }

        // An image's text is only a placeholder like "<Figure size 640x480>".
        if (images.Count == 0)
        {
            var text = result.Text.Length > 0 ? result.Text : result.Markdown.Length > 0 ? result.Markdown : result.Json.Length > 0 ? result.Json : result.Html;
            if (text.Length > 0)
            {
                Console.WriteLine(text);
            }
        }
    }
}
