namespace Sandboxes.Silo.Cluster;

/// <summary>
/// Passes what a sandbox's grain cannot know by itself along with the grain calls made inside
/// (and only those): the host a new sandbox should go to (<see cref="SandboxPlacementDirector"/>)
/// and the caller's deadline (<see cref="StartAdmission"/>).
/// </summary>
public static class GrainCallHints
{
    public static async Task<T> WithAsync<T>(string? host, DateTime deadline, Func<Task<T>> call)
    {
        // The request context flows with this async call only: it is gone when this method returns.
        if (!string.IsNullOrEmpty(host))
        {
            RequestContext.Set(SandboxPlacementDirector.HostHintKey, host);
        }

        if (deadline != DateTime.MaxValue)
        {
            RequestContext.Set(StartAdmission.DeadlineKey, deadline.ToUniversalTime().Ticks);
        }

        return await call();
    }
}
