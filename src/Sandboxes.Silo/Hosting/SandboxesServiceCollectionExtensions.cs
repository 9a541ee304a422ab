using System.Net;
using Azure.Data.Tables;
using Docker.DotNet;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;
using Sandboxes.Networking;
using Sandboxes.Silo.Agents;
using Sandboxes.Silo.Api;
using Sandboxes.Silo.WebConsole;
using Sandboxes.Silo.Catalog;
using Sandboxes.Silo.Containers;
using Sandboxes.Silo.Egress;
using Sandboxes.Silo.Limits;
using Sandboxes.Silo.Preview;
using Sandboxes.Silo.Sandboxes;
using Sandboxes.Silo.Uploads;

namespace Sandboxes.Silo.Hosting;

public static class SandboxesServiceCollectionExtensions
{
    public static WebApplicationBuilder AddSandboxesServices(this WebApplicationBuilder builder, SandboxesOptions options)
    {
        var services = builder.Services;
        services.AddOptions<SandboxesOptions>().BindConfiguration(SandboxesOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SandboxesOptions>, SandboxesOptionsValidator>();
        services.AddOptions<SandboxLimits>().BindConfiguration(SandboxLimits.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SandboxLimits>, SandboxLimitsValidator>();
        services.AddOptions<EgressOptions>().BindConfiguration(EgressOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EgressOptions>, EgressOptionsValidator>();
        services.AddSingleton<EgressPolicy>();
        services.AddSingleton<EgressLog>();
        services.AddSingleton<EgressRefusals>();
        services.AddSingleton<EgressGateway>();
        services.AddOptions<PreviewOptions>().BindConfiguration(PreviewOptions.Section);
        services.AddSingleton<PreviewUrls>();
        services.AddSingleton<PreviewTargets>();
        services.AddSingleton<PreviewConnector>();
        services.AddSingleton<SandboxActivity>();
        services.AddHostedService(sp => sp.GetRequiredService<SandboxActivity>());
        services.AddHttpForwarder();
        services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.Section);
        services.AddSingleton<ConsoleAccess>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(_ => new DockerClientBuilder().WithEndpoint(new Uri(options.DockerEndpoint)).Build());
        services.AddSingleton<SandboxFolders>();
        services.AddSingleton<SandboxContainers>();
        services.AddSingleton<AgentChannels>();
        services.AddSingleton<SandboxDefaults>();
        services.AddSingleton<SandboxCatalogTable>();
        services.AddSingleton<SandboxConnector>();
        services.AddSingleton<UploadForwarder>();
        services.AddHostedService<EngineCheck>();
        services.AddHostedService<ContainerReattacher>();
        services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<SandboxErrorInterceptor>();
            grpc.MaxReceiveMessageSize = MessageLimits.MaxMessageBytes;
            grpc.MaxSendMessageSize = MessageLimits.MaxMessageBytes;
        });
        services.AddCheckedRequestBinding();
        return builder;
    }

    public static WebApplicationBuilder AddSandboxesOrleans(this WebApplicationBuilder builder, SandboxesOptions options)
    {
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = options.ClusterId;
                cluster.ServiceId = options.ServiceId;
            });
            silo.ConfigureEndpoints(IPAddress.Loopback, options.SiloPort, options.GatewayPort);
            silo.UseAzureStorageClustering(table => table.TableServiceClient = new TableServiceClient(options.StorageConnectionString));
            silo.AddAzureTableGrainStorage(SandboxStorage.Name, storage => storage.Configure<Serializer>((table, serializer) =>
            {
                table.TableServiceClient = new TableServiceClient(options.StorageConnectionString);

                // Orleans' own version-tolerant format: records keep their [Id] fields across upgrades.
                table.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
            }));
        });
        return builder;
    }
}
