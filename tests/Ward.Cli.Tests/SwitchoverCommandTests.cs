namespace Ward.Cli.Tests;

/// <summary>
/// ward switchover plan as a user runs it: a file that cannot plan a switchover exits 2 naming the value, before any
/// engine is asked; a valid one goes to the swarm for what it observes (here there is none: exit 69).
/// </summary>
public sealed class SwitchoverCommandTests
{
    private const string Head = """
        version: "3.9"
        x-ward:
          environment: { name: clinic, kind: production }
          nodes:
            - { name: manager-1, role: manager, size: medium, address: 203.0.113.10 }
        """;

    private const string Services = """
        services:
          web:
            image: registry.example.org/web:1.0
        """;

    private static readonly Dictionary<string, string> NoEngine = new() { ["DOCKER_HOST"] = "unix:///nonexistent/ward-test.sock" };

    [Fact]
    public async Task A_file_without_a_switchover_section_exits_2_saying_what_to_add()
    {
        var result = await PlanAsync(Head + "\n" + Services);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("ward: clinic has no switchover section (x-ward.switchover): add a window of at least 2 hours and a rollback_plan", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task The_production_example_whose_window_has_passed_exits_2_naming_its_start()
    {
        var result = await WardProcess.RunAsync(NoEngine, "switchover", "plan", "examples/production.yaml");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("ward: x-ward.switchover.window starts 2026-12-05 02:00:00Z, which is not in the future", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_short_window_and_a_missing_rollback_plan_exit_2_naming_the_value()
    {
        var start = DateTimeOffset.UtcNow.AddDays(5);
        var shortWindow = await PlanAsync(Head + $"\n  switchover:\n    window: {{ start: {start:yyyy-MM-ddTHH:mm:ssZ}, end: {start.AddMinutes(45):yyyy-MM-ddTHH:mm:ssZ} }}\n    rollback_plan: repoint\n" + Services);
        Assert.Equal(2, shortWindow.ExitCode);
        Assert.Contains("x-ward.switchover.window is 45 minutes", shortWindow.Stderr, StringComparison.Ordinal);

        var noPlan = await PlanAsync(Head + $"\n  switchover:\n    window: {{ start: {start:yyyy-MM-ddTHH:mm:ssZ}, end: {start.AddHours(3):yyyy-MM-ddTHH:mm:ssZ} }}\n" + Services);
        Assert.Equal(2, noPlan.ExitCode);
        Assert.Contains("x-ward.switchover.rollback_plan is missing", noPlan.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", noPlan.Stdout + noPlan.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_valid_switchover_needs_the_swarm_to_observe_its_gates_and_says_when_there_is_none()
    {
        var start = DateTimeOffset.UtcNow.AddDays(5);
        var result = await PlanAsync(Head + $"\n  switchover:\n    window: {{ start: {start:yyyy-MM-ddTHH:mm:ssZ}, end: {start.AddHours(3):yyyy-MM-ddTHH:mm:ssZ} }}\n    rollback_plan: repoint\n" + Services);
        Assert.Equal(69, result.ExitCode);
        Assert.Contains("/nonexistent/ward-test.sock", result.Stderr, StringComparison.Ordinal);
    }

    private static async Task<WardProcess.Result> PlanAsync(string yaml)
    {
        var file = Path.Combine(Path.GetTempPath(), $"ward-switchover-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, yaml, TestContext.Current.CancellationToken);
        try
        {
            return await WardProcess.RunAsync(NoEngine, "switchover", "plan", file);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
