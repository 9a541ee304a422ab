using Grpc.Core;
using Microsoft.Extensions.Options;
using Sandboxes.Protocol;
using Sandboxes.Silo.Auth;
using Sandboxes.Silo.Limits;
using Sandboxes.Silo.Preview;
using Sandboxes.Silo.Sandboxes;
using SandboxesBase = Sandboxes.Protocol.Sandboxes.SandboxesBase;

namespace Sandboxes.Silo.Api;

/// <summary>The lifecycle service: create, describe, list, destroy, sleep policy.</summary>
public sealed class SandboxesApi(IGrainFactory grains, SandboxDefaults defaults, IOptions<SandboxLimits> limits, PreviewTargets previews) : SandboxesBase
{
    public override async Task<SandboxInfo> Create(CreateSandboxRequest request, ServerCallContext context)
    {
        var grain = Grain(context, request.Name);
        var spec = SandboxSpecs.FromOptions(request.Options, defaults, limits.Value);
        var policy = SandboxSpecs.SleepPolicyFrom(request.Options?.SleepAfter, request.Options?.KeepAlive ?? false, defaults.SleepPolicy());
        if (request.Host.Length > 0 && !Cluster.HostNames.IsValid(request.Host))
        {
            throw new SandboxException(SandboxError.InvalidArgument, $"host must be a host's name as 'sbx hosts' shows it, not '{(request.Host.Length > 40 ? request.Host[..40] : request.Host)}'");
        }

        var view = await Cluster.GrainCallHints.WithAsync(request.Host, context.Deadline, () => grain.CreateAsync(spec, policy));
        return view.ToInfo();
    }

    public override async Task<SandboxInfo> Get(GetSandboxRequest request, ServerCallContext context)
    {
        var view = await Grain(context, request.Name).DescribeAsync()
            ?? throw new SandboxException(SandboxError.NotFound, $"sandbox '{request.Name}' does not exist");
        return view.ToInfo();
    }

    public override async Task<ListSandboxesResponse> List(ListSandboxesRequest request, ServerCallContext context)
    {
        var page = await grains.ListSandboxesAsync(context.GetCaller().Tenant, request.Labels, checked((int)Math.Min(request.PageSize, int.MaxValue)), request.PageToken);
        var response = new ListSandboxesResponse { NextPageToken = page.NextPageToken ?? "" };
        response.Sandboxes.AddRange(page.Sandboxes.Select(v => v.ToInfo()));
        return response;
    }

    public override async Task<DestroySandboxResponse> Destroy(DestroySandboxRequest request, ServerCallContext context)
    {
        var existed = await Grain(context, request.Name).DestroyAsync();
        previews.Forget(context.CallersSandbox(request.Name));
        return new DestroySandboxResponse { Existed = existed };
    }

    public override async Task<SandboxInfo> SetSleepPolicy(SetSleepPolicyRequest request, ServerCallContext context)
    {
        var grain = Grain(context, request.Name);
        var current = await grain.DescribeAsync()
            ?? throw new SandboxException(SandboxError.NotFound, $"sandbox '{request.Name}' does not exist");
        var policy = SandboxSpecs.SleepPolicyFrom(request.SleepAfter, request.KeepAlive, current.SleepPolicy);
        var view = await grain.SetSleepPolicyAsync(policy);
        return view.ToInfo();
    }

    private ISandboxGrain Grain(ServerCallContext context, string name) => grains.GetSandbox(context.CallersSandbox(name));
}
