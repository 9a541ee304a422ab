// Runs against a silo started with ./run.sh:  dotnet run --project samples/QuickStart
using Sandboxes.Client;
using Sandboxes.Protocol;

using var client = new SandboxClient();
var box = client.Sandbox("quickstart");

await box.Files.WriteTextAsync("/root/hello.py", "import sys\nprint('hello from', sys.platform)\n");
var result = await box.ExecAsync("python3 /root/hello.py");
Console.Write(result.Stdout);

await foreach (var e in box.ExecStreamAsync("for i in 1 2 3; do echo tick $i; sleep 0.3; done"))
{
    if (e.EventCase == ExecEvent.EventOneofCase.Stdout)
    {
        Console.Write(e.Stdout.ToStringUtf8());
    }
}

foreach (var entry in await box.Files.ListAsync("/root"))
{
    Console.WriteLine($"{entry.Name}\t{entry.Size} bytes");
}
