using System.Text.Json;

namespace Ward.Cli.Tests;

/// <summary>ward plan --capacity as a user runs it: the table, what-ifs, the JSON document, exit codes and bad input.</summary>
public sealed class CapacityCommandTests
{
    private const string Example = "examples/production.yaml";

    [Fact]
    public async Task The_production_example_fits_with_a_bar_per_node_and_nothing_on_the_manager()
    {
        var result = await WardProcess.RunAsync("plan", "--capacity", Example);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Capacity of clinic-prod on the file's nodes:", result.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"manager-1\s+manager\s+medium\s+\[\.{20}\]\s+0% 0 of 2\s+\[\.{20}\]\s+0% 0 B of 4 GiB\s+-", result.Stdout);
        // The database's service reserves what its tier does (general-purpose-2: 1 of its 2 vCores, 10 GB), as Ward deploys it.
        Assert.Matches(@"worker-1\s+worker\s+x-large\s+\[#{9}\.{11}\]\s+44% 1\.75 of 4 .*65% 10\.4 GiB of 16 GiB\s+api, db, web, worker", result.Stdout);
        Assert.Contains("Every task finds a node: 7 tasks of 4 services.", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Manager's share: 0 of 7 tasks, 0% of the reserved CPU, 0% of the reserved memory.", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Losing_a_worker_names_what_no_longer_fits_and_the_smallest_change_with_exit_1()
    {
        var result = await WardProcess.RunAsync("plan", "--capacity", Example, "--without", "worker-2");
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Matches(@"worker-2\s+worker\s+large\s+down: takes no tasks", result.Stdout);
        Assert.Contains("web: 1 of 2: no suitable node (1 node not available for new tasks; scheduling constraints not satisfied on 1 node; host-mode port already in use on 1 node)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("No longer fits without worker-2: web (1 more pending), api (1 more pending), worker (1 more pending).", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("To fit: add 1 small (B1ms: 1 vCPU, 2 GB) worker;", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Added_workers_and_scaling_are_placed_and_the_document_says_it_in_json()
    {
        var result = await WardProcess.RunAsync("plan", "--capacity", Example, "--add-worker", "mediumx2", "--scale", "api=4", "--format", "json");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.True(root.GetProperty("fits").GetBoolean());
        Assert.Equal("with 2 more medium workers, api at 4 replicas", root.GetProperty("whatIf").GetProperty("description").GetString());
        Assert.Equal(["manager-1", "worker-1", "worker-2", "new-worker-1", "new-worker-2"], root.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("name").GetString()));
        var api = root.GetProperty("services").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "api");
        Assert.Equal(4, api.GetProperty("placed").GetInt32());
        Assert.Equal(0, root.GetProperty("managerShare").GetProperty("tasks").GetInt32());
    }

    [Theory]
    [InlineData("--without", "worker-9", "ward plan: --without worker-9: there is no node named 'worker-9'; the nodes are manager-1, worker-1, worker-2")]
    [InlineData("--add-worker", "huge", "ward plan: --add-worker huge: 'huge' is not a node size; the sizes are small, medium, large, x-large (SIZE or SIZExN, e.g. largex2)")]
    [InlineData("--scale", "api=-1", "ward plan: --scale api=-1: -1 replicas: a replica count is 0 or more")]
    [InlineData("--scale", "nope=2", "ward plan: --scale nope=2: there is no service named 'nope'; the services are web, api, worker, db")]
    public async Task A_what_if_naming_what_does_not_exist_exits_2_naming_the_value_and_the_choices(string option, string value, string message)
    {
        var result = await WardProcess.RunAsync("plan", "--capacity", Example, option, value);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal(message, result.Stderr.Trim());
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task A_what_if_without_capacity_is_a_usage_error()
    {
        var result = await WardProcess.RunAsync("plan", Example, "--without", "worker-1");
        Assert.True(result.ExitCode == 64, result.ToString());
        Assert.Contains("what-ifs of --capacity; add --capacity", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_without_nodes_exits_2_and_says_where_nodes_come_from()
    {
        var file = Path.Combine(Path.GetTempPath(), $"ward-capacity-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, "version: \"3.9\"\nservices:\n  web: { image: nginx:1.27 }\n", TestContext.Current.CancellationToken);
        try
        {
            var result = await WardProcess.RunAsync("plan", "--capacity", file);
            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.Contains("describes no nodes (x-ward.nodes)", result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
