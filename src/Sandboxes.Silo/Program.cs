using Microsoft.Extensions.Options;
using Sandboxes.Silo.WebConsole;
using Sandboxes.Silo.Hosting;
using Sandboxes.Silo.Preview;

var app = SandboxesSilo.Build(args);
var options = app.Services.GetRequiredService<IOptions<SandboxesOptions>>().Value;
var previews = app.Services.GetRequiredService<PreviewUrls>();
var console = app.Services.GetRequiredService<ConsoleAccess>();
app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine(
    $"Sandboxes silo ready. gRPC: {options.GrpcUrl} (export SANDBOXES_URL={options.GrpcUrl}); "
    + $"web console: {options.HttpUrl}/?token={console.Token}; "
    + $"preview URLs: {previews.BaseUrl.Scheme}://PORT-SANDBOX-TOKEN.{previews.BaseUrl.Authority}"));
await app.RunAsync();
