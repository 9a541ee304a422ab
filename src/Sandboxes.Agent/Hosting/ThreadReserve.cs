namespace Sandboxes.Agent.Hosting;

/// <summary>
/// Starts every thread the agent will ever need before it serves. Threads count against
/// the container's pids limit like user processes do, and the runtime aborts when it cannot
/// start a thread pool worker; with the pool fixed in size (see the project file) and filled
/// here, a fork bomb that takes every free pid cannot take the agent down with it.
/// </summary>
public static class ThreadReserve
{
    public static void Fill()
    {
        ThreadPool.GetMaxThreads(out var workers, out _);
        var running = new CountdownEvent(workers);
        var release = new ManualResetEventSlim();
        for (var i = 0; i < workers; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(
                _ =>
                {
                    running.Signal();
                    release.Wait();
                },
                null);
        }

        // Blocking every worker at once forces the pool to create all of them.
        running.Wait(TimeSpan.FromSeconds(10));
        release.Set();

        // The timer thread is created on first use; make that now too.
        Task.Delay(1).Wait();
    }
}
