namespace Sandboxes.Silo.Sandboxes;

public enum IdleVerdict
{
    StayAwake,
    Sleep,

    /// <summary>The agent no longer answers: it crashed, or the sandbox stopped or replaced it. The container is stopped.</summary>
    AgentGone,
}
