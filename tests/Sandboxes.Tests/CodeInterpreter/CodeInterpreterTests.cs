using System.Buffers.Binary;
using System.Text.Json;
using Grpc.Core;
using Sandboxes.Client;
using Sandboxes.Protocol;
using Sandboxes.Samples.DataAnalysis;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.CodeInterpreter;

/// <summary>Python (IPython), JavaScript and TypeScript contexts in real sandboxes, end to end over gRPC.</summary>
[Collection(CodeInterpreterCollection.Name)]
public sealed class CodeInterpreterTests(CodeInterpreterFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private readonly TestSilo _silo = fixture.Silo;

    private Sandbox NewSandbox(string prefix) => _silo.Client.Sandbox(_silo.UniqueName(prefix));

    private static async Task<Execution> RunAsync(Sandbox box, string code, RunCodeOptions? options = null)
    {
        using var bound = new CancellationTokenSource(Bound);
        return await box.RunCodeAsync(code, options, bound.Token);
    }

    [Fact]
    public async Task Variables_imports_and_functions_persist_between_plain_calls()
    {
        var box = NewSandbox("code-state");

        var first = await RunAsync(box, "import math\nx = 41\ndef double(n):\n    return n * 2\nprint('defined')");
        Assert.Null(first.Error);
        Assert.Equal("defined\n", first.Stdout);
        Assert.Equal("python", first.ContextId);

        var second = await RunAsync(box, "double(x + 1) + math.floor(0.5)");
        Assert.Null(second.Error);
        var result = Assert.Single(second.Results);
        Assert.True(result.IsMainResult);
        Assert.Equal("84", result.Text);
        Assert.Equal(first.ExecutionCount + 1, second.ExecutionCount);

        // IPython's shell escapes and magics work as in a notebook.
        var shell = await RunAsync(box, "!echo shell-$((6*7))\n%time y = 1");
        Assert.Null(shell.Error);
        Assert.StartsWith("shell-42\n", shell.Stdout, StringComparison.Ordinal);
        Assert.Contains("Wall time", shell.Stdout, StringComparison.Ordinal);

        var contexts = await box.ListCodeContextsAsync();
        var python = Assert.Single(contexts);
        Assert.True(python.IsDefault);
        Assert.Equal(CodeLanguage.Python, python.Language);
        Assert.Equal("/workspace", python.Cwd);
        Assert.Equal(shell.ExecutionCount, python.ExecutionCount);
    }

    [Fact]
    public async Task A_new_sandbox_loads_its_interpreters_ahead_of_time_and_a_context_claims_one()
    {
        var box = NewSandbox("code-warm");
        var runners = await Eventually.WaitAsync(
            async () => (await box.ExecAsync("ps -eo pid=,args= | grep -E '[_]runner' || true")).Stdout,
            ps => ps.Contains("python_runner.py", StringComparison.Ordinal) && ps.Contains("node_runner.js javascript", StringComparison.Ordinal) && ps.Contains("node_runner.js typescript", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20),
            "the prestarted interpreters are running before any code call");
        var sparePid = runners.Split('\n').Single(l => l.Contains("python_runner.py", StringComparison.Ordinal)).Trim().Split(' ')[0];

        var context = await box.CreateCodeContextAsync();
        Assert.Equal(sparePid, context.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("2", Assert.Single((await RunAsync(box, "1+1", new RunCodeOptions { ContextId = context.Id })).Results).Text);
    }

    [Fact]
    public async Task Two_contexts_are_independent_and_each_has_its_own_cwd_and_env()
    {
        var box = NewSandbox("code-iso");
        await box.ExecAsync("mkdir -p /tmp/a");
        var a = await box.CreateCodeContextAsync(new CodeContextOptions { Cwd = "/tmp/a", Env = new Dictionary<string, string> { ["WHO"] = "alpha" } });
        var b = await box.CreateCodeContextAsync();
        Assert.NotEqual(a.Id, b.Id);
        Assert.NotEqual(a.Pid, b.Pid);

        await RunAsync(box, "secret = 'only-in-a'", new RunCodeOptions { ContextId = a.Id });
        var inA = await RunAsync(box, "import os; (secret, os.getcwd(), os.environ['WHO'])", new RunCodeOptions { ContextId = a.Id });
        Assert.Equal("('only-in-a', '/tmp/a', 'alpha')", Assert.Single(inA.Results).Text);

        var inB = await RunAsync(box, "import os; print(os.getcwd()); secret", new RunCodeOptions { ContextId = b.Id });
        Assert.Equal("/workspace\n", inB.Stdout);
        Assert.Equal("NameError", inB.Error?.Name);
        Assert.Contains("secret", inB.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_error_carries_its_name_message_traceback_and_line()
    {
        var box = NewSandbox("code-error");
        var execution = await RunAsync(box, "print('before')\ndef divide(a, b):\n    return a / b\n\ndivide(1, 0)");

        Assert.Equal("before\n", execution.Stdout);
        Assert.Equal("ZeroDivisionError", execution.Error.Name);
        Assert.Equal("division by zero", execution.Error.Message);
        Assert.Contains("divide(1, 0)", execution.Error.Traceback, StringComparison.Ordinal);
        Assert.Contains("return a / b", execution.Error.Traceback, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", execution.Error.Traceback, StringComparison.Ordinal);
        Assert.Equal(3, execution.Error.Line);

        var syntax = await RunAsync(box, "x = 1\ny = (");
        Assert.Equal("SyntaxError", syntax.Error.Name);
        Assert.Equal(2, syntax.Error.Line);

        // The context is fine afterwards.
        Assert.Equal("2", Assert.Single((await RunAsync(box, "1+1")).Results).Text);
    }

    [Fact]
    public async Task A_matplotlib_chart_comes_back_as_a_png_of_the_right_size_with_its_data()
    {
        var box = NewSandbox("code-chart");
        var line = await RunAsync(box, """
            import matplotlib.pyplot as plt
            fig = plt.figure(figsize=(4, 3), dpi=100)
            plt.plot([1, 2, 3], [10, 20, 15], label="revenue")
            plt.title("Revenue"); plt.xlabel("month"); plt.ylabel("EUR")
            plt.show()
            """);
        Assert.Null(line.Error);
        var figure = Assert.Single(line.Results, r => !r.Png.IsEmpty);
        var png = figure.Png.ToByteArray();
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], png[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        Assert.Equal(400, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(300, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));

        var chart = ChartData.From(figure);
        Assert.NotNull(chart);
        Assert.Equal("line", chart.Type);
        Assert.Equal("Revenue", chart.Title);
        Assert.Equal("month", chart.XLabel);
        Assert.Equal("EUR", chart.YLabel);
        var series = Assert.Single(chart.Series!);
        Assert.Equal("revenue", series.Label);
        Assert.Equal([1.0, 2.0, 3.0], series.X.Select(x => x.GetDouble()));
        Assert.Equal([10.0, 20.0, 15.0], series.Y.Select(y => y.GetDouble()));

        var bar = await RunAsync(box, """
            plt.figure()
            plt.bar(["north", "south", "west"], [3, 5, 2])
            plt.title("Orders by region")
            """);
        var barChart = ChartData.From(Assert.Single(bar.Results, r => !r.Png.IsEmpty));
        Assert.Equal("bar", barChart!.Type);
        Assert.Equal("Orders by region", barChart.Title);
        var bars = Assert.Single(barChart.Series!);
        Assert.Equal(["north", "south", "west"], bars.X.Select(x => x.GetString()));
        Assert.Equal([3.0, 5.0, 2.0], bars.Y.Select(y => y.GetDouble()));
    }

    [Fact]
    public async Task A_dataframe_gives_html_and_text_and_rich_display_formats_all_come_back()
    {
        var box = NewSandbox("code-frame");
        var frame = await RunAsync(box, "import pandas as pd\npd.DataFrame({'region': ['north', 'south'], 'sales': [10, 20]})");
        var table = Assert.Single(frame.Results);
        Assert.Contains("<table", table.Html, StringComparison.Ordinal);
        Assert.Contains("<td>north</td>", table.Html, StringComparison.Ordinal);
        Assert.Contains("region", table.Text, StringComparison.Ordinal);
        Assert.Contains("south", table.Text, StringComparison.Ordinal);

        var rich = await RunAsync(box, """
            from IPython.display import display, HTML, Markdown, JSON, SVG, Latex
            display(HTML("<b>bold</b>"))
            display(Markdown("**md**"))
            display(JSON({"a": 1}))
            display(SVG('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>'))
            import io
            from PIL import Image as Picture
            from IPython.display import Image
            jpeg = io.BytesIO(); Picture.new("RGB", (3, 2)).save(jpeg, "JPEG")
            display(Image(data=jpeg.getvalue(), format="jpeg"))
            Latex(r"$x^2$")
            """);
        Assert.Null(rich.Error);
        Assert.Equal(6, rich.Results.Count);
        Assert.Equal("<b>bold</b>", rich.Results[0].Html);
        Assert.Equal("**md**", rich.Results[1].Markdown);
        Assert.Equal(1, JsonDocument.Parse(rich.Results[2].Json).RootElement.GetProperty("a").GetInt32());
        Assert.Contains("<svg", rich.Results[3].Svg, StringComparison.Ordinal);
        Assert.Equal([0xFF, 0xD8, 0xFF], rich.Results[4].Jpeg.ToByteArray()[..3]);
        Assert.Equal("$x^2$", rich.Results[5].Latex);
        Assert.True(rich.Results[5].IsMainResult);
        Assert.False(rich.Results[0].IsMainResult);
    }

    [Fact]
    public async Task JavaScript_and_TypeScript_contexts_keep_state_and_report_errors()
    {
        var box = NewSandbox("code-js");
        var js = new RunCodeOptions { Language = CodeLanguage.Javascript };
        await RunAsync(box, "let total = 40; const items = {a: [1, 2]}; function add(n) { return total + n }", js);
        var value = await RunAsync(box, "console.log('items', items); add(2)", js);
        Assert.Equal("items { a: [ 1, 2 ] }\n", value.Stdout);
        Assert.Equal("42", Assert.Single(value.Results).Text);
        Assert.Equal("javascript", value.ContextId);

        var json = await RunAsync(box, "items", js);
        Assert.Equal("{\"a\":[1,2]}", Assert.Single(json.Results).Json);

        var awaited = await RunAsync(box, "new Promise(resolve => setTimeout(() => resolve(total * 2), 10))", js);
        Assert.Equal("80", Assert.Single(awaited.Results).Text);

        // Top-level await: what the cell declares persists, like any other cell's declarations.
        var waited = await RunAsync(box, "const later = (v) => new Promise(r => setTimeout(() => r(v), 5));\nconst got = await later(20);\nfunction twice(n) { return 2 * n }\ntotal = await later(total + 1);\ntwice(got)", js);
        Assert.Null(waited.Error);
        Assert.Equal("40", Assert.Single(waited.Results).Text);
        Assert.Equal("[ 20, 41, 82 ]", Assert.Single((await RunAsync(box, "[got, total, twice(total)]", js)).Results).Text);

        var thrown = await RunAsync(box, "\nnull.boom", js);
        Assert.Equal("TypeError", thrown.Error.Name);
        Assert.Equal(2, thrown.Error.Line);

        var ts = await box.CreateCodeContextAsync(new CodeContextOptions { Language = CodeLanguage.Typescript });
        var inTs = new RunCodeOptions { ContextId = ts.Id };
        await RunAsync(box, "interface Point { x: number; y: number }\nconst origin: Point = { x: 3, y: 4 };", inTs);
        var distance = await RunAsync(box, "Math.hypot(origin.x, origin.y) as number", inTs);
        Assert.Equal("5", Assert.Single(distance.Results).Text);

        var awaitedTs = await RunAsync(box, "const answer: number = await Promise.resolve(42);\nanswer", inTs);
        Assert.Equal("42", Assert.Single(awaitedTs.Results).Text);

        var invalid = await RunAsync(box, "let broken: = 1", inTs);
        Assert.Equal("SyntaxError", invalid.Error.Name);

        // The JavaScript default context never saw the TypeScript one's variables.
        var separate = await RunAsync(box, "typeof origin", js);
        Assert.Equal("undefined", Assert.Single(separate.Results).Text);
    }

    [Fact]
    public async Task A_timeout_interrupts_like_ctrl_c_and_the_context_keeps_its_state()
    {
        var box = NewSandbox("code-timeout");
        await RunAsync(box, "kept = 'still here'");
        var slow = await RunAsync(box, "import time\nprint('started', flush=True)\ntime.sleep(60)", new RunCodeOptions { Timeout = TimeSpan.FromSeconds(1) });
        Assert.Equal(InterruptReason.Timeout, slow.Interrupted);
        Assert.Equal("KeyboardInterrupt", slow.Error.Name);
        Assert.Equal("started\n", slow.Stdout);
        Assert.Equal("'still here'", Assert.Single((await RunAsync(box, "kept")).Results).Text);

        var js = new RunCodeOptions { Language = CodeLanguage.Javascript, Timeout = TimeSpan.FromSeconds(1) };
        await RunAsync(box, "var counter = 7", js);
        var spin = await RunAsync(box, "while (true) {}", js);
        Assert.Equal(InterruptReason.Timeout, spin.Interrupted);
        Assert.Equal("7", Assert.Single((await RunAsync(box, "counter", js with { Timeout = null })).Results).Text);
    }

    [Fact]
    public async Task An_interpreter_that_ignores_the_interrupt_lets_the_caller_go_and_delete_kills_it()
    {
        var box = NewSandbox("code-stubborn");
        var context = await box.CreateCodeContextAsync();
        var options = new RunCodeOptions { ContextId = context.Id, Timeout = TimeSpan.FromSeconds(1) };
        var error = await Assert.ThrowsAsync<RpcException>(() => RunAsync(box, """
            import time
            while True:
                try:
                    time.sleep(0.05)
                except KeyboardInterrupt:
                    pass
            """, options));
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Contains("DeleteContext", error.Status.Detail, StringComparison.Ordinal);

        var listed = Assert.Single(await box.ListCodeContextsAsync(), c => c.Id == context.Id);
        Assert.True(listed.Busy);

        Assert.True(await box.DeleteCodeContextAsync(context.Id));
        Assert.DoesNotContain(await box.ListCodeContextsAsync(), c => c.Id == context.Id);
        await Eventually.WaitAsync(
            async () => (await box.ExecAsync($"kill -0 {context.Pid} 2>/dev/null && echo alive || echo gone")).Stdout.Trim(),
            state => state == "gone",
            TimeSpan.FromSeconds(10),
            "the stubborn interpreter was killed");
    }

    [Fact]
    public async Task Twenty_concurrent_runs_across_four_contexts_each_run_once_in_order()
    {
        var box = NewSandbox("code-many");
        var contexts = new List<CodeContextInfo>();
        for (var i = 0; i < 2; i++)
        {
            contexts.Add(await box.CreateCodeContextAsync());
            contexts.Add(await box.CreateCodeContextAsync(new CodeContextOptions { Language = CodeLanguage.Javascript }));
        }

        foreach (var context in contexts)
        {
            var init = context.Language == CodeLanguage.Python ? "runs = []" : "var runs = []";
            await RunAsync(box, init, new RunCodeOptions { ContextId = context.Id });
        }

        var calls = Enumerable.Range(0, 20).Select(i =>
        {
            var context = contexts[i % 4];
            var code = context.Language == CodeLanguage.Python
                ? $"import time\nruns.append({i}); time.sleep(0.05); len(runs)"
                : $"runs.push({i}); runs.length";
            return RunAsync(box, code, new RunCodeOptions { ContextId = context.Id });
        }).ToList();
        var executions = await Task.WhenAll(calls);

        Assert.All(executions, e => Assert.Null(e.Error));
        foreach (var group in executions.GroupBy(e => e.ContextId))
        {
            // Each context ran its five calls one at a time: lengths 1 to 5, each once.
            Assert.Equal(["1", "2", "3", "4", "5"], group.Select(e => e.Results.Single().Text).Order());
        }

        foreach (var context in contexts)
        {
            var runs = await RunAsync(box, context.Language == CodeLanguage.Python ? "sorted(runs)" : "JSON.stringify(runs.sort((a, b) => a - b))", new RunCodeOptions { ContextId = context.Id });
            var expected = Enumerable.Range(0, 20).Where(i => i % 4 == contexts.IndexOf(context)).ToList();
            Assert.Equal(expected, JsonSerializer.Deserialize<List<int>>(runs.Results.Single().Text.Trim('\'')));
        }
    }

    [Fact]
    public async Task A_context_that_dies_gives_a_clear_error_and_a_recreate_works()
    {
        var box = NewSandbox("code-die");
        var context = await box.CreateCodeContextAsync();
        var options = new RunCodeOptions { ContextId = context.Id };
        await RunAsync(box, "doomed = True", options);

        var died = await Assert.ThrowsAsync<RpcException>(() => RunAsync(box, "import os\nos._exit(3)", options));
        Assert.Equal(StatusCode.Aborted, died.StatusCode);
        Assert.Contains("exited with code 3", died.Status.Detail, StringComparison.Ordinal);

        var after = await Assert.ThrowsAsync<RpcException>(() => RunAsync(box, "doomed", options));
        Assert.Equal(StatusCode.FailedPrecondition, after.StatusCode);
        Assert.Contains("create a new one", after.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("exited with code 3", Assert.Single(await box.ListCodeContextsAsync(), c => c.Id == context.Id).Ended, StringComparison.Ordinal);

        Assert.True(await box.DeleteCodeContextAsync(context.Id));
        var fresh = await box.CreateCodeContextAsync();
        Assert.Equal("2", Assert.Single((await RunAsync(box, "1+1", new RunCodeOptions { ContextId = fresh.Id })).Results).Text);

        // Past the sandbox's memory limit the kernel kills the interpreter, and the error says so.
        var hog = await box.CreateCodeContextAsync();
        var oom = await Assert.ThrowsAsync<RpcException>(() => RunAsync(box, "hog = b'x' * (2 * 1024 ** 3)", new RunCodeOptions { ContextId = hog.Id }));
        Assert.Equal(StatusCode.Aborted, oom.StatusCode);
        Assert.Contains("memory limit", oom.Status.Detail, StringComparison.Ordinal);

        // The default context is recreated on the next plain call after it died.
        await Assert.ThrowsAsync<RpcException>(() => RunAsync(box, "import os; os._exit(1)"));
        Assert.Equal("3", Assert.Single((await RunAsync(box, "1+2")).Results).Text);
    }

    [Fact]
    public async Task The_stream_delivers_output_results_and_errors_as_they_happen_then_completes()
    {
        var box = NewSandbox("code-stream");
        await RunAsync(box, "0");
        var events = new List<ExecutionEvent>();
        var firstAt = TimeSpan.Zero;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var bound = new CancellationTokenSource(Bound);
        await foreach (var e in box.RunCodeStreamAsync("import time, subprocess\nprint('one', flush=True)\ntime.sleep(1.5)\nsubprocess.run(['echo', 'from-a-child'])\ndisplay(42)\nraise ValueError('late')", cancellationToken: bound.Token))
        {
            if (events.Count == 0)
            {
                firstAt = clock.Elapsed;
            }

            events.Add(e);
        }

        // The first line arrived before the sleep ended.
        Assert.True(firstAt < TimeSpan.FromSeconds(1.4), $"first event after {firstAt}");
        Assert.Equal(
            [ExecutionEvent.EventOneofCase.Stdout, ExecutionEvent.EventOneofCase.Stdout, ExecutionEvent.EventOneofCase.Result, ExecutionEvent.EventOneofCase.Error, ExecutionEvent.EventOneofCase.Complete],
            events.Select(e => e.EventCase));
        Assert.Equal("one\n", events[0].Stdout);
        Assert.Equal("from-a-child\n", events[1].Stdout);
        Assert.Equal("42", events[2].Result.Text);
        Assert.Equal("ValueError", events[3].Error.Name);
        Assert.Equal(InterruptReason.None, events[4].Complete.Interrupted);
    }

    [Fact]
    public async Task Cancelling_the_stream_interrupts_the_code_and_the_context_carries_on()
    {
        var box = NewSandbox("code-cancel");
        await RunAsync(box, "survivor = 1");
        using var cancel = new CancellationTokenSource();
        var seen = new List<ExecutionEvent>();
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var e in box.RunCodeStreamAsync("import time\nprint('sleeping', flush=True)\ntime.sleep(60)\nsurvivor = 2", cancellationToken: cancel.Token))
            {
                seen.Add(e);
                await cancel.CancelAsync();
            }
        });
        Assert.Equal("sleeping\n", Assert.Single(seen).Stdout);

        // The interrupted code never reached its assignment, and the context is free again.
        var after = await RunAsync(box, "survivor");
        Assert.Equal("1", Assert.Single(after.Results).Text);
    }

    [Fact]
    public async Task A_context_keeps_its_state_across_a_silo_restart_and_the_cut_call_is_interrupted()
    {
        var box = NewSandbox("code-restart");
        await RunAsync(box, "kept = 'across restarts'");
        using var bound = new CancellationTokenSource(Bound);
        await using (var stream = box.RunCodeStreamAsync("import time\nprint('waiting', flush=True)\ntime.sleep(60)\nkept = 'overwritten'", cancellationToken: bound.Token).GetAsyncEnumerator())
        {
            Assert.True(await stream.MoveNextAsync());
            Assert.Equal("waiting\n", stream.Current.Stdout);

            await _silo.RestartAsync();
            await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                while (await stream.MoveNextAsync())
                {
                }
            });
        }

        // The agent saw its call cut, interrupted the sleep, and kept everything else.
        var after = await RunAsync(box, "kept");
        Assert.Equal("'across restarts'", Assert.Single(after.Results).Text);
    }

    [Fact]
    public async Task Bad_input_gets_clear_statuses()
    {
        var box = NewSandbox("code-bad");
        var huge = await Assert.ThrowsAsync<RpcException>(() => RunAsync(box, new string('x', 5 * 1024 * 1024)));
        Assert.Equal(StatusCode.InvalidArgument, huge.StatusCode);
        Assert.Contains("MiB", huge.Status.Detail, StringComparison.Ordinal);

        var missing = await Assert.ThrowsAsync<RpcException>(() => RunAsync(box, "1", new RunCodeOptions { ContextId = "ctx-nope" }));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);

        var timeout = await Assert.ThrowsAsync<RpcException>(() => RunAsync(box, "1", new RunCodeOptions { Timeout = TimeSpan.FromSeconds(-1) }));
        Assert.Equal(StatusCode.InvalidArgument, timeout.StatusCode);

        await RunAsync(box, "0");
        var language = await Assert.ThrowsAsync<RpcException>(() => RunAsync(box, "1", new RunCodeOptions { ContextId = "python", Language = CodeLanguage.Javascript }));
        Assert.Equal(StatusCode.InvalidArgument, language.StatusCode);

        var unknown = await Assert.ThrowsAsync<RpcException>(() => RunAsync(box, "1", new RunCodeOptions { Language = (CodeLanguage)42 }));
        Assert.Equal(StatusCode.InvalidArgument, unknown.StatusCode);

        var cwd = await Assert.ThrowsAsync<RpcException>(() => box.CreateCodeContextAsync(new CodeContextOptions { Cwd = "/no/such/dir" }));
        Assert.Equal(StatusCode.NotFound, cwd.StatusCode);

        var env = await Assert.ThrowsAsync<RpcException>(() => box.CreateCodeContextAsync(new CodeContextOptions { Env = new Dictionary<string, string> { ["A=B"] = "1" } }));
        Assert.Equal(StatusCode.InvalidArgument, env.StatusCode);

        Assert.False(await box.DeleteCodeContextAsync("ctx-nope"));

        // Binary-ish and odd text is just code: errors come back as errors, and output round-trips.
        var nul = await RunAsync(box, "x = 1\0");
        Assert.Equal("SyntaxError", nul.Error.Name);
        var text = await RunAsync(box, "print('héllo ✓ \\x00 \\udcff'.encode('utf-8', 'surrogateescape').decode('utf-8', 'replace'))");
        Assert.Null(text.Error);
        Assert.StartsWith("héllo ✓", text.Stdout, StringComparison.Ordinal);

        // Huge output: the unary reply is capped, the interpreter is unharmed.
        var big = await RunAsync(box, "print('y' * (3 * 1024 * 1024))");
        Assert.Contains("RunCodeStream returns all of it", big.Stdout, StringComparison.Ordinal);
        Assert.True(big.Stdout.Length < 2 * 1024 * 1024);
        Assert.Equal("2", Assert.Single((await RunAsync(box, "1+1")).Results).Text);

        // 40 MiB of images: the unary reply stops at 32 MiB and says so; the stream has them all.
        const string images = "from IPython.display import Image, display\nimport os\nfor _ in range(20): display(Image(data=os.urandom(2 * 1024 * 1024), format='png'))";
        var capped = await RunAsync(box, images);
        Assert.InRange(capped.Results.Count, 10, 16);
        Assert.All(capped.Results, r => Assert.Equal(2 * 1024 * 1024, r.Png.Length));
        Assert.Contains("results left out", capped.Stderr, StringComparison.Ordinal);
        var streamed = 0;
        await foreach (var e in box.RunCodeStreamAsync(images))
        {
            streamed += e.EventCase == ExecutionEvent.EventOneofCase.Result && e.Result.Png.Length == 2 * 1024 * 1024 ? 1 : 0;
        }

        Assert.Equal(20, streamed);
    }

    [Fact]
    public async Task The_cli_prints_text_results_and_writes_images_to_files()
    {
        var box = NewSandbox("code-cli");
        var folder = Directory.CreateTempSubdirectory("sbx-run-").FullName;
        try
        {
            var cli = new CliRunner(_silo);
            var set = await cli.RunAsync(["run", box.Name, "-"], CliRunner.Utf8("values = [3, 1, 2]\nprint('set')"));
            Assert.Equal(0, set.ExitCode);
            Assert.Equal("set\n", set.Stdout);

            var chart = await cli.RunAsync(["run", box.Name, "--out", folder, "-"], CliRunner.Utf8("import matplotlib.pyplot as plt\nplt.plot(sorted(values))\nplt.show()\nsum(values)"));
            Assert.Equal(0, chart.ExitCode);
            var lines = chart.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("6", lines[^1]);
            var path = Assert.Single(lines, l => l.StartsWith("[png] ", StringComparison.Ordinal))["[png] ".Length..];
            Assert.StartsWith(folder, path, StringComparison.Ordinal);
            Assert.Equal((byte)0x89, (await File.ReadAllBytesAsync(path))[0]);

            var js = await cli.RunAsync(["run", box.Name, "--lang", "js", "-"], CliRunner.Utf8("[1, 2].map(n => n * 10)"));
            Assert.Equal("[ 10, 20 ]\n", js.Stdout);

            var failing = await cli.RunAsync(["run", box.Name, "-"], CliRunner.Utf8("undefined_name"));
            Assert.Equal(1, failing.ExitCode);
            Assert.Contains("NameError", failing.Stderr, StringComparison.Ordinal);

            var slow = await cli.RunAsync(["run", box.Name, "--timeout", "1s", "-"], CliRunner.Utf8("import time; time.sleep(30)"));
            Assert.Equal(124, slow.ExitCode);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_data_analysis_sample_runs_from_the_csv_to_the_chart()
    {
        var box = NewSandbox("code-sample");
        var folder = Directory.CreateTempSubdirectory("sbx-sample-").FullName;
        try
        {
            using var log = new StringWriter();
            using var bound = new CancellationTokenSource(Bound);
            var chart = await SalesWalkthrough.RunAsync(box, folder, log, bound.Token);

            var text = log.ToString();
            Assert.Contains("9 rows, columns: date, region, product, revenue, cost", text, StringComparison.Ordinal);
            Assert.Matches(@"north\s+3800\s+2310\s+0\.392", text);
            var png = await File.ReadAllBytesAsync(chart, bound.Token);
            Assert.Equal(600, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
            Assert.Equal(400, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
            Assert.Contains("\"Margin by region\"", text, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
