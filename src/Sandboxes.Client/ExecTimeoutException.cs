using System.Text;

namespace Sandboxes.Client;

/// <summary>The command's timeout fired and its process group was killed.</summary>
public sealed class ExecTimeoutException : Exception
{
    public ExecTimeoutException(string message, byte[] stdoutTail, byte[] stderrTail, Exception innerException)
        : base(message, innerException)
    {
        StdoutTail = stdoutTail;
        StderrTail = stderrTail;
    }

    public ExecTimeoutException()
    {
        StdoutTail = [];
        StderrTail = [];
    }

    public ExecTimeoutException(string message)
        : base(message)
    {
        StdoutTail = [];
        StderrTail = [];
    }

    public ExecTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
        StdoutTail = [];
        StderrTail = [];
    }

    /// <summary>The last bytes (up to 4 KiB) the command wrote to stdout before it was killed.</summary>
    public byte[] StdoutTail { get; }

    public byte[] StderrTail { get; }

    public string Stdout => Encoding.UTF8.GetString(StdoutTail);

    public string Stderr => Encoding.UTF8.GetString(StderrTail);
}
