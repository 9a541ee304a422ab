using System.Diagnostics.CodeAnalysis;
using Grpc.AspNetCore.Server.Model;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Sandboxes.Agent.Hosting;

/// <summary>
/// Binds the agent's gRPC methods from a written table (Hosting/GrpcMethodTables.cs) instead
/// of grpc-dotnet's reflection binder. Under Native AOT that binder reaches every method through
/// a generic virtual call (<c>ServiceBinderBase.AddMethod&lt;TRequest, TResponse&gt;</c>), and the
/// runtime's type loader builds each such target from templates when the agent starts: measured
/// here, that was most of the time between the container starting and the agent answering.
/// Calls made with the exact types are compiled ahead of time instead. The services are
/// singletons, since none holds per-call state.
/// </summary>
public static class StaticGrpcBinding
{
    private const DynamicallyAccessedMemberTypes ServiceMembers =
        DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods;

    /// <summary>Drops grpc-dotnet's reflection providers, so each service is bound once, by its table.</summary>
    public static IServiceCollection WithoutReflectionBinding(this IServiceCollection services)
    {
        services.RemoveAll(typeof(IServiceMethodProvider<>));
        return services;
    }

    public static IServiceCollection AddGrpcMethods<[DynamicallyAccessedMembers(ServiceMembers)] TService>(this IServiceCollection services, Action<ServiceMethodProviderContext<TService>> bind)
        where TService : class
    {
        services.AddSingleton<TService>();
        services.AddSingleton<IServiceMethodProvider<TService>>(new MethodTable<TService>(bind));
        return services;
    }

    /// <summary>What grpc-dotnet's own binder attaches to every method: POST, and CORS preflight passed through.</summary>
    public static IList<object> Post() => [new HttpMethodMetadata(["POST"], acceptCorsPreflight: true)];

    private sealed class MethodTable<[DynamicallyAccessedMembers(ServiceMembers)] TService>(Action<ServiceMethodProviderContext<TService>> bind) : IServiceMethodProvider<TService>
        where TService : class
    {
        public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context) => bind(context);
    }
}
