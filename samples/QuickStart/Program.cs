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

// A dev server in the background, and a preview URL for it (open it in a browser).
await box.Processes.StartAsync(["python3", "-m", "http.server", "8000", "--directory", "/root"], new StartProcessOptions { Id = "site" });
await box.Processes.WaitForPortAsync("site", 8000, TimeSpan.FromSeconds(30));
var preview = await box.ExposePortAsync(8000, "site");
Console.WriteLine($"preview: {preview.Url}");

// A terminal: a shell on a real pty, as a person would type into it.
await using (var terminal = await box.OpenTerminalAsync(new TerminalOptions { Cols = 100, Rows = 30 }))
{
    await terminal.WriteAsync("stty size; exit\r");
    await foreach (var chunk in terminal.ReadAsync())
    {
        Console.Write(System.Text.Encoding.UTF8.GetString(chunk.Span));
    }

    Console.WriteLine($"terminal exited with {terminal.Exit?.ExitCode}");
}

await box.Processes.KillAsync("site");
