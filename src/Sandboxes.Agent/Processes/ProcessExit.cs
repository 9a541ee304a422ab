namespace Sandboxes.Agent.Processes;

/// <summary>How a child ended, decoded from its wait status.</summary>
public readonly record struct ProcessExit(int ExitCode, int Signal)
{
    public static ProcessExit FromWaitStatus(int status)
    {
        var termSignal = status & 0x7f;
        // WIFEXITED: no terminating signal; the code sits in the second byte.
        if (termSignal == 0)
        {
            return new ProcessExit((status >> 8) & 0xff, 0);
        }

        // WIFSIGNALED; shells report a signal death as 128 + N, and so does the contract.
        return new ProcessExit(128 + termSignal, termSignal);
    }
}
