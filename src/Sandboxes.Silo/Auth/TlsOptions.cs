namespace Sandboxes.Silo.Auth;

/// <summary>
/// The certificate both ports serve when their URLs (Sandboxes:GrpcUrl, Sandboxes:HttpUrl)
/// are https://, bound from the "Tls" section. PEM files, as certbot or a cluster's
/// certificate manager writes them.
/// </summary>
public sealed class TlsOptions
{
    public const string Section = "Tls";

    /// <summary>The certificate chain, PEM.</summary>
    public string CertificatePath { get; set; } = "";

    /// <summary>The certificate's private key, PEM (unencrypted).</summary>
    public string KeyPath { get; set; } = "";

    public bool Configured => CertificatePath.Length > 0 || KeyPath.Length > 0;
}
