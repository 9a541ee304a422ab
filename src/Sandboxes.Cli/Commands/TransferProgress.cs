using System.Diagnostics;

namespace Sandboxes.Cli.Commands;

/// <summary>Shows bytes moved on stderr, at most once a second, only when a person is watching.</summary>
public sealed class TransferProgress(string verb, long? total) : IProgress<long>
{
    private readonly bool _visible = !Console.IsErrorRedirected;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastShownMs = -1000;
    private bool _shown;

    public void Report(long value)
    {
        if (!_visible || _clock.ElapsedMilliseconds - _lastShownMs < 1000)
        {
            return;
        }

        _lastShownMs = _clock.ElapsedMilliseconds;
        _shown = true;
        var of = total is { } t ? $" of {Units.FormatSize((ulong)t)}" : "";
        Console.Error.Write($"\r{verb} {Units.FormatSize((ulong)value)}{of}   ");
    }

    public void Done()
    {
        if (_shown)
        {
            Console.Error.WriteLine();
        }
    }
}
