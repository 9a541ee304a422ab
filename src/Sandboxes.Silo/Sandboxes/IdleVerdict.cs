namespace Sandboxes.Silo.Sandboxes;

public enum IdleVerdict
{
    StayAwake,
    Sleep,

    /// <summary>The agent no longer answers: the container stopped on its own.</summary>
    AgentGone,
}
