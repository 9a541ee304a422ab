using System.Net;
using Azure.Data.Tables;
using Docker.DotNet;
using Microsoft.Extensions.Options;
using System.Security.Cryptography.X509Certificates;
using Orleans.Configuration;
using Orleans.Connections.Security;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Serialization;
using Orleans.Storage;
using Sandboxes.Networking;
using Sandboxes.Silo.Agents;
using Sandboxes.Silo.Api;
using Sandboxes.Silo.WebConsole;
using Sandboxes.Silo.Catalog;
using Sandboxes.Silo.Cluster;
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
        services.AddSingleton<LocalHost>();
        services.AddSingleton<ClusterHosts>();
        services.AddSingleton<ClusterSecret>();
        services.AddSingleton<SiloForwarder>();
        services.AddSingleton<SandboxRouting>();
        services.AddSingleton<StartAdmission>();
        services.AddSingleton<HostTable>();
        services.AddSingleton<HostReports>();
        services.AddHostedService(sp => sp.GetRequiredService<HostReports>());
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
            // Loopback makes a one-machine cluster; a real address is advertised to the other
            // silos, and then the silo listens on every address (as in a pod).
            var advertised = IPAddress.Parse(options.AdvertisedAddress);
            silo.ConfigureEndpoints(advertised, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(advertised));
            silo.UseSiloMetadata(LocalHost.Metadata(options));
            if (options.ResolvedSiloTls)
            {
                UseClusterTls(silo, builder.Configuration.GetSection(Auth.TlsOptions.Section).Get<Auth.TlsOptions>() ?? new Auth.TlsOptions());
            }

            silo.AddPlacementDirector<SandboxPlacement, SandboxPlacementDirector>();

            // A silo killed outright is declared dead in about 10 s rather than Orleans' default
            // of about 30, so its sandboxes' callers get a clear UNAVAILABLE sooner.
            silo.Configure<ClusterMembershipOptions>(membership =>
            {
                membership.ProbeTimeout = TimeSpan.FromSeconds(2);
                membership.NumMissedProbesLimit = 3;
            });
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

    /// <summary>
    /// TLS on the Orleans port, both ways: a silo accepts a peer (as server or client) only when
    /// it presents the cluster's own certificate, so nothing else can join or send grain calls.
    /// </summary>
    private static void UseClusterTls(ISiloBuilder silo, Auth.TlsOptions tls)
    {
        if (!tls.Configured)
        {
            // ExposureValidator names the missing setting when the silo starts.
            return;
        }

        var certificate = X509Certificate2.CreateFromPemFile(tls.CertificatePath, tls.KeyPath);
        silo.UseTls(certificate, orleans =>
        {
            orleans.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            orleans.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            orleans.RemoteCertificateValidation = (remote, _, _) => remote.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span);
        });
    }
}
