namespace Sandboxes;

/// <summary>Kinds of failure a caller can act on; each maps to one gRPC status code.</summary>
[GenerateSerializer, Alias("sandboxes.SandboxError")]
public enum SandboxError
{
    InvalidArgument = 1,
    NotFound = 2,
    FailedPrecondition = 3,
    ResourceExhausted = 4,
    Unavailable = 5,
    PermissionDenied = 6,
    AlreadyExists = 7,
}
