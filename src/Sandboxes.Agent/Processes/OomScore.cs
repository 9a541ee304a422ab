namespace Sandboxes.Agent.Processes;

/// <summary>
/// Makes user processes the kernel's first choice when the container runs out of memory,
/// so a memory hog is killed instead of the agent. Raising a score needs no capability;
/// children inherit it, so setting it on the command's first process covers its tree.
/// </summary>
public static class OomScore
{
    private const string UserProcessScore = "500";

    public static void RaiseForUserProcess(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/oom_score_adj", UserProcessScore);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process may already be gone, or /proc read-only; neither stops the command.
        }
    }
}
