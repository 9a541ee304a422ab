namespace Sandboxes;

/// <summary>When an idle sandbox stops its container.</summary>
[GenerateSerializer, Immutable, Alias("sandboxes.SleepPolicy")]
public sealed record SleepPolicy([property: Id(0)] TimeSpan SleepAfter, [property: Id(1)] bool KeepAlive)
{
    public static readonly TimeSpan DefaultSleepAfter = TimeSpan.FromMinutes(10);

    public static SleepPolicy Default { get; } = new(DefaultSleepAfter, KeepAlive: false);
}
