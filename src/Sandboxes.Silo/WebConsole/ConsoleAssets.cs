using System.Collections.Concurrent;

namespace Sandboxes.Silo.WebConsole;

/// <summary>The console's files, embedded in the silo at build time (xterm.js from npm included).</summary>
public static class ConsoleAssets
{
    private static readonly ConcurrentDictionary<string, byte[]?> Cache = new(StringComparer.Ordinal);

    public static byte[]? Read(string name) => Cache.GetOrAdd(name, static key =>
    {
        using var stream = typeof(ConsoleAssets).Assembly.GetManifestResourceStream($"console/{key}");
        if (stream is null)
        {
            return null;
        }

        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        _ => "application/octet-stream",
    };
}
