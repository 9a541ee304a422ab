using Grpc.Core;
using Sandboxes.Agent.Native;
using Sandboxes.Agent.Processes;

namespace Sandboxes.Agent.Exec;

/// <summary>Why a command could not start, as the gRPC status a caller can act on.</summary>
public static class SpawnErrors
{
    public static RpcException ToRpc(SpawnException e, string program) => new(e.Errno switch
    {
        Errno.EAGAIN => new Status(StatusCode.ResourceExhausted, "process limit reached: the sandbox has too many processes or threads"),
        Errno.ENOMEM => new Status(StatusCode.ResourceExhausted, "out of memory while starting the command"),
        Errno.ENFILE or Errno.EMFILE => new Status(StatusCode.ResourceExhausted, $"too many open files: {e.Message}"),
        // execve's limits: 128 KiB for any one argument (MAX_ARG_STRLEN; a shell command is one
        // argument of sh -c), and about a quarter of the stack limit for all of them with the environment.
        Errno.E2BIG => new Status(StatusCode.InvalidArgument, $"the command line of '{program}' is too long for the kernel: at most 128 KiB per argument (a shell command is one argument) and about 2 MiB for all arguments and environment together; write a script file (Files.Write) and run that instead"),
        Errno.ENOENT => new Status(StatusCode.NotFound, $"command '{program}' not found in PATH"),
        Errno.ENOEXEC => new Status(StatusCode.FailedPrecondition, $"'{program}' is not an executable this system can run (a script needs a #! line)"),
        Errno.EACCES or Errno.EPERM => new Status(StatusCode.PermissionDenied, $"command '{program}' could not be executed: {e.Message}"),
        _ => new Status(StatusCode.Internal, $"could not start '{program}': {e.Message}"),
    });
}
