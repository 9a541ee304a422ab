using Grpc.AspNetCore.Server.Model;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Sandboxes.Silo.Hosting;

/// <summary>Puts <see cref="CheckedRequestBinding{TService}"/> in place of grpc-dotnet's binder.</summary>
public static class CheckedRequestBindingExtensions
{
    /// <summary>Call after AddGrpc, which registers the binder this replaces.</summary>
    public static IServiceCollection AddCheckedRequestBinding(this IServiceCollection services)
    {
        services.RemoveAll(typeof(IServiceMethodProvider<>));
        services.AddSingleton(typeof(IServiceMethodProvider<>), typeof(CheckedRequestBinding<>));
        return services;
    }
}
