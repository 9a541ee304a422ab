using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Sandboxes.Protocol;
using KeysBase = Sandboxes.Protocol.Keys.KeysBase;

namespace Sandboxes.Silo.Auth;

/// <summary>The Keys service: admin keys make, list and revoke keys. Secrets leave only in Create's answer.</summary>
public sealed class KeysApi(ApiKeyStore store, ApiKeyVerifier verifier, TimeProvider time) : KeysBase
{
    private const int MaxDescription = 200;

    public override async Task<CreatedKey> Create(CreateKeyRequest request, ServerCallContext context)
    {
        context.RequireAdmin("manage keys");
        if (!TenantName.IsValid(request.Tenant))
        {
            throw new SandboxException(SandboxError.InvalidArgument, TenantName.Explain(request.Tenant));
        }

        // An admin key manages every tenant's keys, so it is the operator's, in the operator's
        // tenant: an admin key of another tenant could make itself keys that reach any tenant.
        if (request.Admin && request.Tenant != SandboxKey.DefaultTenant)
        {
            throw new SandboxException(SandboxError.InvalidArgument, $"an admin key manages every tenant's keys, so it belongs to tenant '{SandboxKey.DefaultTenant}', not '{request.Tenant}'; make a plain key for '{request.Tenant}'");
        }

        if (request.Description.Length > MaxDescription)
        {
            throw new SandboxException(SandboxError.InvalidArgument, $"a key's description holds at most {MaxDescription} characters, not {request.Description.Length}");
        }

        var (key, record) = await store.CreateAsync(request.Tenant, request.Admin, request.Description, time, context.CancellationToken);
        return new CreatedKey { Key = key.ToString(), Info = ToInfo(record) };
    }

    public override async Task<ListKeysResponse> List(ListKeysRequest request, ServerCallContext context)
    {
        context.RequireAdmin("manage keys");
        var response = new ListKeysResponse();
        response.Keys.AddRange((await store.ListAsync(context.CancellationToken))
            .Where(r => request.Tenant.Length == 0 || r.Tenant == request.Tenant)
            .Select(ToInfo));
        return response;
    }

    public override async Task<RevokeKeyResponse> Revoke(RevokeKeyRequest request, ServerCallContext context)
    {
        context.RequireAdmin("manage keys");
        var id = ApiKey.IdOf(request.Id)
            ?? throw new SandboxException(SandboxError.InvalidArgument, $"'{(request.Id.Length > 100 ? request.Id[..100] : request.Id)}' is not a key id: {ApiKey.IdLength} hex characters, as 'sbx keys ls' shows");
        var existed = await store.DeleteAsync(id, context.CancellationToken);
        verifier.Forget(id);
        return new RevokeKeyResponse { Existed = existed };
    }

    private static KeyInfo ToInfo(ApiKeyRecord record) => new()
    {
        Id = record.Id,
        Tenant = record.Tenant,
        Admin = record.Admin,
        Created = Timestamp.FromDateTimeOffset(record.Created),
        Description = record.Description,
    };
}
