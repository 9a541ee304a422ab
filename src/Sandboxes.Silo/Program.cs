using Microsoft.Extensions.Options;
using Sandboxes.Silo.Auth;
using Sandboxes.Silo.Hosting;
using Sandboxes.Silo.Preview;

var app = SandboxesSilo.Build(args);
var options = app.Services.GetRequiredService<IOptions<SandboxesOptions>>().Value;
var previews = app.Services.GetRequiredService<PreviewUrls>();
var adminKey = app.Services.GetRequiredService<AdminKeyBootstrap>();
app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine(
    $"Sandboxes silo ready. gRPC: {options.GrpcUrl} (export SANDBOXES_URL={options.GrpcUrl}); "
    + $"{adminKey.Summary}; web console: {options.HttpUrl}/ (log in with an API key); "
    + $"preview URLs: {previews.BaseUrl.Scheme}://PORT-SANDBOX-TOKEN.{previews.BaseUrl.Authority}"));
await app.RunAsync();
