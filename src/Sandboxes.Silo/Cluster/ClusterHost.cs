namespace Sandboxes.Silo.Cluster;

/// <summary>One host of the cluster as this silo sees it: its silo and where to forward calls for its sandboxes.</summary>
public sealed record ClusterHost(string Name, SiloAddress Silo, string GrpcUrl, string HttpUrl);
