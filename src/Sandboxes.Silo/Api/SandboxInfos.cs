using Google.Protobuf.WellKnownTypes;
using Sandboxes.Protocol;

namespace Sandboxes.Silo.Api;

public static class SandboxInfos
{
    public static SandboxInfo ToInfo(this SandboxView view)
    {
        var info = new SandboxInfo
        {
            Name = view.Name,
            State = view.Status == SandboxStatus.Running ? SandboxState.Running : SandboxState.Sleeping,
            Image = view.Spec.Image,
            Cpus = view.Spec.Cpus,
            MemoryBytes = (ulong)view.Spec.MemoryBytes,
            PidsLimit = (uint)view.Spec.PidsLimit,
            DiskBytes = (ulong)view.Spec.DiskBytes,
            Created = Timestamp.FromDateTimeOffset(view.Created),
            LastActive = Timestamp.FromDateTimeOffset(view.LastActive),
            SleepAfter = Duration.FromTimeSpan(view.SleepPolicy.SleepAfter),
            KeepAlive = view.SleepPolicy.KeepAlive,
            Host = view.Host ?? "",
        };
        // Values are often keys: callers learn which variables are set, never what they hold.
        info.EnvNames.Add(view.Spec.Env.Keys.Order(StringComparer.Ordinal));
        info.Labels.Add(view.Spec.Labels);
        return info;
    }
}
