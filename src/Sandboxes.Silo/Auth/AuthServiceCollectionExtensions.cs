using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Sandboxes.Silo.Auth;

/// <summary>API keys, the Keys service, the bootstrap admin key, TLS, and the refusal to be exposed without them.</summary>
public static class AuthServiceCollectionExtensions
{
    public static WebApplicationBuilder AddSandboxesAuth(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, ExposureValidator>();
        services.AddOptions<TlsOptions>().BindConfiguration(TlsOptions.Section);
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<ApiKeyVerifier>();
        services.AddSingleton<AdminKeyBootstrap>();
        services.AddHostedService(sp => sp.GetRequiredService<AdminKeyBootstrap>());

        // Both ports serve the same certificate when their URLs are https://. The files are
        // read when Kestrel binds, after ExposureValidator has checked that they load.
        var tls = builder.Configuration.GetSection(TlsOptions.Section).Get<TlsOptions>() ?? new TlsOptions();
        if (tls.CertificatePath.Length > 0 && tls.KeyPath.Length > 0)
        {
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
                https.ServerCertificate = X509Certificate2.CreateFromPemFile(tls.CertificatePath, tls.KeyPath)));
        }

        return builder;
    }

    /// <summary>Every request on a port other than the HTTP port (that is, the gRPC API) needs a key.</summary>
    public static WebApplication UseSandboxesAuth(this WebApplication app, int httpPort)
    {
        app.UseWhen(context => context.Connection.LocalPort != httpPort, grpc => grpc.UseMiddleware<ApiKeyMiddleware>());
        app.MapGrpcService<KeysApi>();
        return app;
    }
}
