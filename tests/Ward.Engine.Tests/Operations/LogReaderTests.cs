using System.Text;
using System.Text.Json.Nodes;
using Ward.Deploying;
using Ward.Deploying.Operations;
using Ward.Engine.Ports;

namespace Ward.Engine.Tests.Operations;

/// <summary>The log core over the fake engine: naming, order, tail over every service, grep, masking and following.</summary>
public sealed class LogReaderTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-12-07T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private readonly FakeEngine _engine = new();

    private async Task<(string Id, ObservedTask[] Tasks)> ServiceAsync(string environment, string name, int replicas)
    {
        var id = await _engine.CreateAsync(ObjectKind.Service, new JsonObject
        {
            ["Name"] = $"{environment}_{name}",
            ["Labels"] = new JsonObject { ["com.docker.stack.namespace"] = environment },
            ["TaskTemplate"] = new JsonObject { ["ContainerSpec"] = new JsonObject { ["Image"] = "busybox" } },
            ["Mode"] = new JsonObject { ["Replicated"] = new JsonObject { ["Replicas"] = replicas } },
        }, CancellationToken.None);
        return (id, [.. _engine.Tasks.Where(t => t.ServiceId == id).OrderBy(t => t.Slot)]);
    }

    private static async Task<List<LogEntry>> ReadAsync(LogReader reader, string environment, LogQuery query, SecretMask? mask = null)
    {
        var entries = new List<LogEntry>();
        await foreach (var entry in reader.ReadAsync(environment, query, mask ?? SecretMask.None, TestContext.Current.CancellationToken))
        {
            entries.Add(entry);
        }

        return entries;
    }

    [Fact]
    public async Task History_of_every_service_comes_in_time_order_with_task_and_node_named()
    {
        var (web, webTasks) = await ServiceAsync("shop", "web", 2);
        var (api, apiTasks) = await ServiceAsync("shop", "api", 1);
        await ServiceAsync("other", "web", 1);
        _engine.WriteLog(web, new ServiceLogLine(Start.AddSeconds(3), webTasks[1].NodeId, webTasks[1].Id, false, "web two"));
        _engine.WriteLog(api, new ServiceLogLine(Start.AddSeconds(2), apiTasks[0].NodeId, apiTasks[0].Id, true, "api failed"));
        _engine.WriteLog(web, new ServiceLogLine(Start.AddSeconds(1), webTasks[0].NodeId, webTasks[0].Id, false, "web one"));

        var entries = await ReadAsync(new LogReader(_engine, TimeProvider.System), "shop", new LogQuery());

        Assert.Equal(["web one", "api failed", "web two"], entries.Select(e => e.Message));
        Assert.Equal(["web.1", "api.1", "web.2"], entries.Select(e => e.Task));
        Assert.Equal(["web", "api", "web"], entries.Select(e => e.Service));
        Assert.Equal(["worker-1", "worker-1", "worker-2"], entries.Select(e => e.Node));
        Assert.Equal(["stdout", "stderr", "stdout"], entries.Select(e => e.Stream));
    }

    [Fact]
    public async Task Tail_takes_the_last_lines_of_everything_selected_and_names_select_services()
    {
        var (web, webTasks) = await ServiceAsync("shop", "web", 1);
        var (api, apiTasks) = await ServiceAsync("shop", "api", 1);
        for (var i = 0; i < 10; i++)
        {
            _engine.WriteLog(web, new ServiceLogLine(Start.AddSeconds(2 * i), webTasks[0].NodeId, webTasks[0].Id, false, $"web {i}"));
            _engine.WriteLog(api, new ServiceLogLine(Start.AddSeconds((2 * i) + 1), apiTasks[0].NodeId, apiTasks[0].Id, false, $"api {i}"));
        }

        var reader = new LogReader(_engine, TimeProvider.System);
        Assert.Equal(["web 8", "api 8", "web 9", "api 9"], (await ReadAsync(reader, "shop", new LogQuery { Tail = 4 })).Select(e => e.Message));
        Assert.Equal(["api 7", "api 8", "api 9"], (await ReadAsync(reader, "shop", new LogQuery { Tail = 3, Services = ["api"] })).Select(e => e.Message));
        Assert.Equal(["web 3"], (await ReadAsync(reader, "shop", new LogQuery { Grep = "WEB 3" })).Select(e => e.Message));
        Assert.Equal(["web 9", "api 9"], (await ReadAsync(reader, "shop", new LogQuery { Since = Start.AddSeconds(18) })).Select(e => e.Message));
    }

    [Fact]
    public async Task An_unknown_service_or_a_tail_out_of_range_is_refused_with_what_is_allowed()
    {
        await ServiceAsync("shop", "web", 1);
        var reader = new LogReader(_engine, TimeProvider.System);

        var unknown = await Assert.ThrowsAsync<DeployRequestException>(() => ReadAsync(reader, "shop", new LogQuery { Services = ["web", "nope"] }));
        Assert.Equal(DeployRequestCodes.UnknownService, unknown.Code);
        Assert.Equal("shop has no service nope; its services are web", unknown.Message);

        var tail = await Assert.ThrowsAsync<DeployRequestException>(() => ReadAsync(reader, "shop", new LogQuery { Tail = LogQuery.MaxTail + 1 }));
        Assert.Equal(DeployRequestCodes.InvalidLogQuery, tail.Code);
        Assert.Contains("0 to 100000", tail.Message, StringComparison.Ordinal);

        var since = Assert.Throws<DeployRequestException>(() => LogQuery.ParseSince("yesterday", Start));
        Assert.Contains("'yesterday'", since.Message, StringComparison.Ordinal);
        Assert.Equal(Start.AddMinutes(-90), LogQuery.ParseSince("1h30m", Start));
        Assert.Equal(Start.AddHours(-1), LogQuery.ParseSince("2026-12-07T09:00:00Z", Start));
    }

    [Fact]
    public async Task Secret_values_never_show_in_a_line_whole_or_line_by_line()
    {
        var (web, tasks) = await ServiceAsync("shop", "web", 1);
        var pem = "-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END KEY-----\n";
        var mask = new SecretMask([new("db_password", Encoding.UTF8.GetBytes("hunter2-is-long\n")), new("tls_key", Encoding.UTF8.GetBytes(pem)), new("pin", "123"u8.ToArray())]);
        string[] printed = ["connecting with password hunter2-is-long to db", "key line MIIEvQIBADANBgkqhkiG9w0BAQEFAASC here", "pin 123 stays: too short to be a secret"];
        foreach (var (text, i) in printed.Select((t, i) => (t, i)))
        {
            _engine.WriteLog(web, new ServiceLogLine(Start.AddSeconds(i), tasks[0].NodeId, tasks[0].Id, false, text));
        }

        var entries = await ReadAsync(new LogReader(_engine, TimeProvider.System), "shop", new LogQuery(), mask);

        Assert.Equal(
            ["connecting with password [secret db_password] to db", "key line [secret tls_key] here", "pin 123 stays: too short to be a secret"],
            entries.Select(e => e.Message));
        Assert.Empty(await ReadAsync(new LogReader(_engine, TimeProvider.System), "shop", new LogQuery { Grep = "hunter2" }, mask));
    }

    [Fact]
    public async Task Following_streams_new_lines_of_every_service_after_the_history_without_repeating_it()
    {
        var (web, webTasks) = await ServiceAsync("shop", "web", 1);
        var (api, apiTasks) = await ServiceAsync("shop", "api", 1);
        _engine.WriteLog(web, new ServiceLogLine(Start, webTasks[0].NodeId, webTasks[0].Id, false, "old"));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var seen = new List<string>();
        var reading = Task.Run(async () =>
        {
            await foreach (var entry in new LogReader(_engine, TimeProvider.System).ReadAsync("shop", new LogQuery { Follow = true }, SecretMask.None, stop.Token))
            {
                lock (seen)
                {
                    seen.Add(entry.Message);
                }
            }
        }, CancellationToken.None);

        await WaitAsync(() => seen.Count == 1);
        for (var i = 1; i <= 500; i++)
        {
            var (service, task) = i % 2 == 0 ? (web, webTasks[0]) : (api, apiTasks[0]);
            _engine.WriteLog(service, new ServiceLogLine(Start.AddMilliseconds(i), task.NodeId, task.Id, false, $"new {i}"));
        }

        await WaitAsync(() => seen.Count == 501);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
        // Each service's lines keep their order; lines of two services come as each arrives.
        Assert.Equal("old", seen[0]);
        var numbers = seen.Skip(1).Select(m => int.Parse(m[4..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(1, 500), numbers.Order());
        Assert.Equal(numbers.Where(n => n % 2 == 0).Order(), numbers.Where(n => n % 2 == 0));
        Assert.Equal(numbers.Where(n => n % 2 == 1).Order(), numbers.Where(n => n % 2 == 1));
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }
}
