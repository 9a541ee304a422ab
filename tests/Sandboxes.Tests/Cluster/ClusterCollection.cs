using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Cluster;

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<HostCluster>
{
    public const string Name = "three hosts";
}
