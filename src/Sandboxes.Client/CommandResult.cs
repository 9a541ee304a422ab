using System.Text;

namespace Sandboxes.Client;

/// <summary>The outcome of a command run to completion.</summary>
public sealed record CommandResult(int ExitCode, byte[] StdoutBytes, byte[] StderrBytes, bool StdoutTruncated, bool StderrTruncated, int Signal, TimeSpan Duration)
{
    public string Stdout => Encoding.UTF8.GetString(StdoutBytes);

    public string Stderr => Encoding.UTF8.GetString(StderrBytes);

    public bool Success => ExitCode == 0;
}
