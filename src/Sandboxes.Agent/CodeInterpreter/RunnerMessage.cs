using System.Text.Json;
using Google.Protobuf;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.CodeInterpreter;

/// <summary>One JSON line from a runner, turned into the public contract's messages.</summary>
public sealed class RunnerMessage
{
    public const int ReadyKind = 1;
    public const int EventKind = 2;
    public const int DoneKind = 3;

    public int Kind { get; private init; }

    public long Id { get; private init; }

    public string Version { get; private init; } = "";

    public ExecutionEvent? Event { get; private init; }

    public int ExecutionCount { get; private init; }

    public bool Interrupted { get; private init; }

    public static RunnerMessage Parse(ReadOnlyMemory<byte> line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var kind = root.GetProperty("ev").GetString();
        var id = root.TryGetProperty("id", out var idElement) ? idElement.GetInt64() : 0;
        return kind switch
        {
            "ready" => new RunnerMessage { Kind = ReadyKind, Version = root.GetProperty("version").GetString() ?? "" },
            "stdout" => new RunnerMessage { Kind = EventKind, Id = id, Event = new ExecutionEvent { Stdout = Text(root, "text") } },
            "stderr" => new RunnerMessage { Kind = EventKind, Id = id, Event = new ExecutionEvent { Stderr = Text(root, "text") } },
            "result" => new RunnerMessage { Kind = EventKind, Id = id, Event = new ExecutionEvent { Result = Result(root) } },
            "error" => new RunnerMessage { Kind = EventKind, Id = id, Event = new ExecutionEvent { Error = Error(root) } },
            "done" => new RunnerMessage
            {
                Kind = DoneKind,
                Id = id,
                ExecutionCount = root.GetProperty("count").GetInt32(),
                Interrupted = root.GetProperty("interrupted").GetBoolean(),
            },
            _ => throw new InvalidOperationException($"unknown message kind '{kind}'"),
        };
    }

    private static ExecutionResult Result(JsonElement root)
    {
        var result = new ExecutionResult { IsMainResult = root.TryGetProperty("main", out var main) && main.GetBoolean() };
        foreach (var format in root.GetProperty("data").EnumerateObject())
        {
            var value = format.Value.ValueKind == JsonValueKind.String ? format.Value.GetString()! : format.Value.GetRawText();
            switch (format.Name)
            {
                case "text/plain": result.Text = value; break;
                case "text/html": result.Html = value; break;
                case "text/markdown": result.Markdown = value; break;
                case "application/json": result.Json = value; break;
                case "image/png": result.Png = ByteString.CopyFrom(Convert.FromBase64String(value)); break;
                case "image/jpeg": result.Jpeg = ByteString.CopyFrom(Convert.FromBase64String(value)); break;
                case "image/svg+xml": result.Svg = value; break;
                case "text/latex": result.Latex = value; break;
                case "application/javascript": result.Javascript = value; break;
                default: result.Extra[format.Name] = value; break;
            }
        }

        if (root.TryGetProperty("chart", out var chart) && chart.ValueKind == JsonValueKind.Object)
        {
            result.Chart = chart.GetRawText();
        }

        return result;
    }

    private static ExecutionError Error(JsonElement root) => new()
    {
        Name = Text(root, "name"),
        Message = Text(root, "message"),
        Traceback = Text(root, "traceback"),
        Line = root.TryGetProperty("line", out var line) && line.ValueKind == JsonValueKind.Number ? line.GetInt32() : 0,
    };

    private static string Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
}
