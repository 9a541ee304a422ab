using Sandboxes.Silo.Hosting;

var app = SandboxesSilo.Build(args);
app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"Sandboxes silo ready. gRPC: {string.Join(", ", app.Urls)} (export SANDBOXES_URL={app.Urls.FirstOrDefault()})"));
await app.RunAsync();
