namespace Sandboxes;

/// <summary>What a preview request reaches.</summary>
[GenerateSerializer, Alias("sandboxes.PreviewOutcome")]
public enum PreviewOutcome
{
    /// <summary>The port is exposed with this token; the sandbox runs (it was woken if it slept).</summary>
    Found = 1,

    /// <summary>No such sandbox, port or token.</summary>
    NotFound = 2,

    /// <summary>The sandbox was destroyed.</summary>
    Gone = 3,
}

/// <summary>The answer to a preview request: where to send it, or why not.</summary>
[GenerateSerializer, Immutable, Alias("sandboxes.PreviewTarget")]
public sealed record PreviewTarget([property: Id(0)] PreviewOutcome Outcome, [property: Id(1)] AgentEndpoint? Agent)
{
    public static PreviewTarget NotFound { get; } = new(PreviewOutcome.NotFound, null);

    public static PreviewTarget Gone { get; } = new(PreviewOutcome.Gone, null);
}
