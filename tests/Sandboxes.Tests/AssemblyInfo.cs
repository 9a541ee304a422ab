// The tests drive one Docker engine on a 2-core machine; running collections side by
// side would only make them compete.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
