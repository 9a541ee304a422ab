using System.Runtime.InteropServices;
using Sandboxes.Agent.Native;

namespace Sandboxes.Agent.Processes;

/// <summary>Ends a whole process group, including processes forked while it is being killed.</summary>
public static class ProcessGroup
{
    // A fork that is in flight when the signal is sent yields a new member that did not get
    // it, so the group is signalled until it is gone; a fork bomb dies within a few rounds.
    private const int MaxRounds = 400;
    private static readonly TimeSpan RoundDelay = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Sends SIGKILL to every member of the group until none is left (ESRCH), for at most
    /// about two seconds. Returns false when members were still there at the end.
    /// </summary>
    public static async Task<bool> KillAsync(int pgid)
    {
        for (var round = 0; round < MaxRounds; round++)
        {
            if (LibC.Kill(-pgid, LibC.SigKill) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.ESRCH)
                {
                    return true;
                }
            }

            // Killed members stay in the group as zombies until the reaper collects them, so
            // give it a moment; the first rounds go back to back to catch racing forks.
            if (round >= 3)
            {
                await Task.Delay(RoundDelay).ConfigureAwait(false);
            }
        }

        return false;
    }

    /// <summary>
    /// Kills the group at <paramref name="deadline"/> (time from now) if any member is still
    /// alive then. Used when a command with a timeout exits but left children in its group:
    /// the timeout bounds them too, which is what contains a fork bomb whose first process
    /// returns at once.
    /// </summary>
    public static async Task KillAtDeadlineAsync(int pgid, TimeSpan deadline)
    {
        var end = TimeProvider.System.GetTimestamp() + (long)(deadline.TotalSeconds * TimeProvider.System.TimestampFrequency);

        // Checked every second, so the watch ends soon after the group empties and a pgid
        // cannot be recycled unnoticed for long.
        while (IsAlive(pgid))
        {
            var left = TimeProvider.System.GetElapsedTime(TimeProvider.System.GetTimestamp(), end);
            if (left <= TimeSpan.Zero)
            {
                await KillAsync(pgid).ConfigureAwait(false);
                return;
            }

            await Task.Delay(left < PollInterval ? left : PollInterval).ConfigureAwait(false);
        }
    }

    private static bool IsAlive(int pgid) => LibC.Kill(-pgid, 0) == 0 || Marshal.GetLastPInvokeError() != Errno.ESRCH;
}
