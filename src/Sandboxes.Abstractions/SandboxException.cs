namespace Sandboxes;

/// <summary>A failure with a message meant for the person calling the API.</summary>
[GenerateSerializer, Alias("sandboxes.SandboxException")]
public sealed class SandboxException : Exception
{
    public SandboxException(SandboxError error, string message)
        : base(message)
    {
        Error = error;
    }

    public SandboxException(SandboxError error, string message, Exception innerException)
        : base(message, innerException)
    {
        Error = error;
    }

    public SandboxException()
    {
    }

    public SandboxException(string message)
        : base(message)
    {
    }

    public SandboxException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    [Id(0)]
    public SandboxError Error { get; private set; }
}
