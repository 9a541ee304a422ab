using System.Diagnostics.CodeAnalysis;
using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Server.Model;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

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

    /// <summary>
    /// Registers the service, its method table, and, with their exact types, the two things
    /// grpc-dotnet would otherwise build from open generics at start: the per-service options
    /// (nothing configures them; the global options apply) and an activator that hands out
    /// the singleton. Together about 5 ms of the agent's start (median of 25 boots).
    /// </summary>
    public static IServiceCollection AddGrpcMethods<[DynamicallyAccessedMembers(ServiceMembers)] TService>(this IServiceCollection services, Action<ServiceMethodProviderContext<TService>> bind)
        where TService : class
    {
        services.AddSingleton<TService>();
        services.AddSingleton<IServiceMethodProvider<TService>>(new MethodTable<TService>(bind));
        services.AddSingleton<IOptions<GrpcServiceOptions<TService>>>(Options.Create(new GrpcServiceOptions<TService>()));
        services.AddSingleton<IGrpcServiceActivator<TService>>(provider => new SingletonActivator<TService>(provider.GetRequiredService<TService>()));
        return services;
    }

    /// <summary>What grpc-dotnet's own binder attaches to every method: POST, and CORS preflight passed through.</summary>
    public static IList<object> Post() => [new HttpMethodMetadata(["POST"], acceptCorsPreflight: true)];

    private sealed class SingletonActivator<[DynamicallyAccessedMembers(ServiceMembers)] TService>(TService service) : IGrpcServiceActivator<TService>
        where TService : class
    {
        public GrpcActivatorHandle<TService> Create(IServiceProvider serviceProvider) => new(service, created: false, state: null);

        public ValueTask ReleaseAsync(GrpcActivatorHandle<TService> service) => ValueTask.CompletedTask;
    }

    private sealed class MethodTable<[DynamicallyAccessedMembers(ServiceMembers)] TService>(Action<ServiceMethodProviderContext<TService>> bind) : IServiceMethodProvider<TService>
        where TService : class
    {
        public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context) => bind(context);
    }
}
