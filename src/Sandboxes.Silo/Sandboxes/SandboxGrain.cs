using Microsoft.Extensions.Options;
using Sandboxes.Silo.Agents;
using Orleans.Placement;
using Sandboxes.Silo.Cluster;
using Sandboxes.Silo.Containers;
using Sandboxes.Silo.Egress;
using Sandboxes.Silo.Hosting;

namespace Sandboxes.Silo.Sandboxes;

/// <summary>
/// One sandbox. Only idleness stops its container: any other deactivation (silo shutdown,
/// crash, rebalancing, memory pressure) leaves the container and its processes running,
/// and the next activation re-attaches to it. Only a grain watching a running container
/// stays active: any call that leaves it without one (an unknown name, a sleeping sandbox
/// described) deactivates it, so callers cannot fill the silo with activations.
/// </summary>
/// <remarks>
/// A sandbox lives on one host: its grain is placed on that host's silo and never moved
/// (<see cref="SandboxPlacementAttribute"/>, <see cref="ImmovableAttribute"/>), and a grain that
/// finds itself on another host refuses to touch any container.
/// </remarks>
[CollectionAgeLimit(AlwaysActive = true)]
[SandboxPlacement]
[Immovable]
public sealed partial class SandboxGrain(
    [PersistentState("sandbox", SandboxStorage.Name)] IPersistentState<SandboxRecord> record,
    SandboxContainers containers,
    AgentChannels agents,
    EgressGateway egress,
    SandboxDefaults defaults,
    LocalHost host,
    StartAdmission admission,
    IOptions<SandboxesOptions> options,
    IOptions<EgressOptions> egressOptions,
    TimeProvider time,
    ILogger<SandboxGrain> logger) : Grain, ISandboxGrain, IIncomingGrainCallFilter
{
    private static readonly TimeSpan ActivityPersistInterval = TimeSpan.FromMinutes(1);

    /// <summary>How long a destroyed sandbox's preview URLs answer 410 before they become 404.</summary>
    private static readonly TimeSpan TombstoneLifetime = TimeSpan.FromDays(7);

    private readonly SandboxIdleCheck _idleCheck = new(agents, time);
    private SandboxKey? _key;
    private AgentEndpoint? _endpoint;
    private IGrainTimer? _idleTimer;
    private DateTimeOffset _persistedLastActive;
    private DateTimeOffset _callsOpenUntil;

    /// <summary>The grain's key as logs show it: <c>tenant/name</c>, or the bare name in the default tenant.</summary>
    private string Id => this.GetPrimaryKeyString();

    /// <summary>Its tenant and name. The APIs make keys only from valid ones, so a bad key is a caller reaching past them.</summary>
    private SandboxKey Key => _key ?? throw new SandboxException(SandboxError.InvalidArgument, $"'{Id}' names no sandbox: {SandboxName.Rule}");

    private bool HasValidKey => _key is not null;

    private bool Exists => record.State.Spec is not null;

    /// <summary>The host that holds the sandbox: the one recorded, or this one for a new sandbox or one recorded before hosts were.</summary>
    private string Home => record.State.Host ?? host.Name;

    /// <summary>Its container is in another host's engine, whose silo is gone (else the grain would be there).</summary>
    private bool Foreign => Exists && !host.Is(Home);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _key = SandboxKey.TryParseGrainKey(Id, out var key) ? key : null;
        if (record.State.DestroyedAt is { } destroyed && time.GetUtcNow() - destroyed > TombstoneLifetime)
        {
            await record.ClearStateAsync(cancellationToken);
        }

        if (!HasValidKey || !Exists)
        {
            return;
        }

        _persistedLastActive = record.State.LastActive;
        if (Foreign)
        {
            return;
        }

        SandboxContainer? container;
        try
        {
            container = await containers.FindAsync(Key, cancellationToken);
        }
        catch (HttpRequestException)
        {
            // The engine is down: nothing to re-attach to now; a call that needs the container says so.
            return;
        }

        if (container is { Running: true } && record.State.Status != SandboxStatus.Running)
        {
            // A container its record says is asleep (an agent that went silent, a start that failed) runs for no one.
            await containers.StopAsync(container.Id, cancellationToken);
        }
        else if (container is { Running: true })
        {
            _endpoint = NewEndpoint();
            egress.Open(Key.LocalName);
            SandboxLog.Reattached(logger, Id, container.Id);
            StartIdleTimer();
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _idleTimer?.Dispose();
        if (_endpoint is not null)
        {
            SandboxLog.Deactivating(logger, Id, reason.ReasonCode.ToString());
        }

        if (Exists && record.State.LastActive != _persistedLastActive)
        {
            await record.WriteStateAsync(cancellationToken);
        }
    }

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (HttpRequestException e)
        {
            // The engine's socket did not answer: the engine stopped (running containers carry on, see live-restore).
            throw new SandboxException(SandboxError.Unavailable, $"host '{host.Name}''s Docker engine did not answer ({e.Message}); the sandbox's files are safe there, and it can start again once the engine is back");
        }
        finally
        {
            // Always-active is for watching a container's idleness; without one there is nothing to watch.
            if (_endpoint is null)
            {
                DeactivateOnIdle();
            }
        }
    }

    public async Task<SandboxView> CreateAsync(SandboxSpec spec, SleepPolicy sleepPolicy)
    {
        RequireValidKey();
        if (!Exists)
        {
            // Admitted first: a create refused for a busy host leaves nothing behind.
            using var slot = await admission.AdmitAsync();
            var now = time.GetUtcNow();
            record.State = new SandboxRecord { Spec = spec, SleepPolicy = sleepPolicy, Created = now, LastActive = now, Host = host.Name };
            await StartContainerAsync(isNew: true);
        }

        Touch();
        return View();
    }

    public Task<SandboxView?> DescribeAsync() => Task.FromResult(Exists ? View() : null);

    public Task<string> LocateAsync()
    {
        RequireHome();
        return Task.FromResult(Home);
    }

    public async Task<AgentEndpoint> WakeAsync(bool createIfMissing)
    {
        RequireValidKey();
        if (!Exists)
        {
            if (!createIfMissing)
            {
                throw new SandboxException(SandboxError.NotFound, $"sandbox '{Key.Name}' does not exist");
            }

            await CreateAsync(defaults.Spec(), defaults.SleepPolicy());
        }
        else if (_endpoint is null)
        {
            RequireHome();
            using var slot = await admission.AdmitAsync();
            await StartContainerAsync(isNew: false);
        }

        Touch();
        return _endpoint!;
    }

    public Task KeepAwakeAsync(TimeSpan lease)
    {
        if (_endpoint is not null)
        {
            Touch();
            var until = time.GetUtcNow() + lease;
            _callsOpenUntil = until > _callsOpenUntil ? until : _callsOpenUntil;
        }

        return Task.CompletedTask;
    }

    public Task ReportUnreachableAsync(string generation)
    {
        if (_endpoint?.Generation == generation)
        {
            agents.Forget(_endpoint.SocketPath);
            _endpoint = null;
        }

        return Task.CompletedTask;
    }

    public async Task<SandboxView> SetSleepPolicyAsync(SleepPolicy sleepPolicy)
    {
        RequireValidKey();
        RequireExists();
        record.State.SleepPolicy = sleepPolicy;
        await SaveAsync();
        if (_endpoint is not null)
        {
            StartIdleTimer();
        }

        return View();
    }

    public async Task<bool> DestroyAsync()
    {
        RequireValidKey();
        RequireHome();
        var existed = Exists || await containers.FindAsync(Key, CancellationToken.None) is not null;
        _idleTimer?.Dispose();
        if (_endpoint is not null)
        {
            agents.Forget(_endpoint.SocketPath);
            _endpoint = null;
        }

        egress.Close(Key.LocalName);
        await containers.RemoveAsync(Key, CancellationToken.None);

        // A sandbox that had preview URLs leaves a tombstone, so they answer 410 rather than
        // 404; it expires (see OnActivateAsync). Others leave nothing behind.
        if (record.State.ExposedPorts.Count > 0)
        {
            // The ports (with their tokens) stay, so only a URL that was handed out learns the
            // sandbox is gone; a guessed one gets 404, as for a name that never existed.
            record.State = new SandboxRecord { DestroyedAt = time.GetUtcNow(), ExposedPorts = record.State.ExposedPorts };
            await record.WriteStateAsync();
        }
        else
        {
            await record.ClearStateAsync();
        }

        await GrainFactory.GetCatalog().ForgetAsync(Key.Tenant, Key.Name);
        SandboxLog.Destroyed(logger, Id);
        DeactivateOnIdle();
        return existed;
    }

    public Task ReattachAsync() => Task.CompletedTask;

    /// <summary>Starts the container and waits for its agent, holding a start admitted by <see cref="StartAdmission"/> (its caller gives it back).</summary>
    private async Task StartContainerAsync(bool isNew)
    {
        var started = time.GetTimestamp();

        // A new sandbox skips the lookup: creating is what it needs, and a leftover container is a conflict the create resolves.
        var container = isNew ? null : await containers.FindAsync(Key, CancellationToken.None);
        var containerId = container?.Id;
        if (containerId is null)
        {
            if (!isNew)
            {
                SandboxLog.ContainerLost(logger, Id);
            }

            containerId = await containers.CreateAsync(Key, record.State.Spec!, CancellationToken.None);
        }

        egress.Open(Key.LocalName);
        if (container is not { Running: true })
        {
            await containers.StartAsync(Key, containerId, CancellationToken.None);
        }

        // The record is written while the agent boots rather than after it answers: the two
        // overlap, and a new sandbox's first answer does not wait for storage. A record from
        // before hosts were recorded is adopted by the host that starts it.
        var endpoint = NewEndpoint();
        record.State.Host ??= host.Name;
        _endpoint = endpoint;
        record.State.Status = SandboxStatus.Running;
        Touch();
        var saving = SaveAsync();
        try
        {
            await agents.WaitUntilReadyAsync(endpoint, options.Value.AgentReadyTimeout, CancellationToken.None);
        }
        catch
        {
            // Not running after all: neither this activation nor the record may say so. The
            // agent's error is the one the caller gets, not the first write's.
            _endpoint = null;
            await saving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
            record.State.Status = SandboxStatus.Sleeping;
            await SaveAsync();
            egress.Close(Key.LocalName);
            await containers.StopAsync(containerId, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
            throw;
        }

        await saving;
        SandboxLog.Running(logger, Id, containerId, (long)time.GetElapsedTime(started).TotalMilliseconds);
        StartIdleTimer();
    }

    private void StartIdleTimer()
    {
        _idleTimer?.Dispose();
        var period = TimeSpan.FromTicks(Math.Clamp(record.State.SleepPolicy.SleepAfter.Ticks / 4, TimeSpan.TicksPerMillisecond * 250, TimeSpan.TicksPerSecond * 30));
        _idleTimer = this.RegisterGrainTimer(CheckIdleAsync, new GrainTimerCreationOptions(period, period) { KeepAlive = false });
    }

    private async Task CheckIdleAsync(CancellationToken cancellationToken)
    {
        var callsOpen = time.GetUtcNow() < _callsOpenUntil;
        var verdict = await _idleCheck.EvaluateAsync(_endpoint, record.State, callsOpen, options.Value.MaxAwakeWithoutCalls, cancellationToken);
        switch (verdict)
        {
            case IdleVerdict.Sleep:
                await SleepAsync();
                break;
            case IdleVerdict.AgentGone:
                // A silent agent may be a stopped or replaced one: the container must not run on unwatched.
                SandboxLog.AgentGone(logger, Id);
                await SleepAsync();
                break;
            default:
                // Only the record: listings ask running sandboxes directly, so the catalog
                // needs a write only when the state changes, not on every minute of activity.
                if (record.State.LastActive - _persistedLastActive > ActivityPersistInterval)
                {
                    await record.WriteStateAsync(cancellationToken);
                    _persistedLastActive = record.State.LastActive;
                }

                break;
        }
    }

    private async Task SleepAsync()
    {
        SandboxLog.Sleeping(logger, Id, time.GetUtcNow() - record.State.LastActive);
        _idleTimer?.Dispose();
        var container = await containers.FindAsync(Key, CancellationToken.None);
        if (container is { Running: true })
        {
            await containers.StopAsync(container.Id, CancellationToken.None);
        }

        agents.Forget(_endpoint!.SocketPath);
        egress.Close(Key.LocalName);
        _endpoint = null;
        record.State.Status = SandboxStatus.Sleeping;
        await SaveAsync();
        DeactivateOnIdle();
    }

    private async Task SaveAsync()
    {
        var view = View();
        await Task.WhenAll(record.WriteStateAsync(), GrainFactory.GetCatalog().RecordAsync(Key.Tenant, view));
        _persistedLastActive = view.LastActive;
    }

    private void Touch() => record.State.LastActive = time.GetUtcNow();

    private SandboxView View() => new()
    {
        Name = Key.Name,
        Status = _endpoint is null ? SandboxStatus.Sleeping : SandboxStatus.Running,
        Spec = record.State.Spec!,
        SleepPolicy = record.State.SleepPolicy,
        Created = record.State.Created,
        LastActive = record.State.LastActive,
        Host = Home,
    };

    private AgentEndpoint NewEndpoint() => new(containers.SocketPath(Key), Guid.NewGuid().ToString("N"), host.Name);

    private void RequireValidKey() => _ = Key;

    /// <summary>Refuses to touch a container that is another host's: its files and processes are there, not here.</summary>
    private void RequireHome()
    {
        if (Foreign)
        {
            throw SandboxPlacementDirector.HostDown(Key, Home);
        }
    }

    private void RequireExists()
    {
        if (!Exists)
        {
            throw new SandboxException(SandboxError.NotFound, $"sandbox '{Key.Name}' does not exist");
        }
    }
}
