using System.Text.Json;

namespace Ward.Cli.Tests;

/// <summary>ward check as a user runs it: exit codes, formats and messages.</summary>
public sealed class CheckCommandTests
{
    [Fact]
    public async Task The_production_example_passes_with_exit_0()
    {
        var result = await WardProcess.RunAsync("check", "examples/production.yaml");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("0 errors", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_broken_example_fails_with_exit_1_and_names_every_MedStack_rule()
    {
        var result = await WardProcess.RunAsync("check", "examples/production-broken.yaml", "--format", "json");
        Assert.Equal(1, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var errors = json.RootElement.GetProperty("findings").EnumerateArray()
            .Where(f => f.GetProperty("severity").GetString() == "error")
            .Select(f => f.GetProperty("rule").GetString())
            .ToHashSet();
        string[] medstack = ["NODE-001", "NODE-002", "NODE-003", "DB-001", "PLC-001", "PLC-002", "PLC-003", "SEC-001", "SWO-001", "SWO-002", "DNS-002"];
        Assert.All(medstack, rule => Assert.Contains(rule, errors));

        // A secret read from a file in production is a warning; the example's undeclared one stops any deploy.
        Assert.Contains("CMP-002", errors);
        var all = json.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("rule").GetString()).ToHashSet();
        Assert.Contains("STO-001", all);
        Assert.Contains("SEC-004", all);
        Assert.Contains("SEC-002", all);
        var notChecked = json.RootElement.GetProperty("notChecked").EnumerateArray().Select(n => n.GetProperty("rule").GetString()).ToList();
        Assert.Equal(["DNS-001", "IMG-002", "TLS-001"], notChecked.Order());
    }

    [Fact]
    public async Task A_missing_file_exits_2_with_one_clear_line_and_no_stack_trace()
    {
        var result = await WardProcess.RunAsync("check", "no/such/file.yaml");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'no/such/file.yaml' does not exist", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_option_is_a_usage_error_with_exit_64()
    {
        var result = await WardProcess.RunAsync("check", "examples/production.yaml", "--frobnicate");
        Assert.Equal(64, result.ExitCode);
        Assert.Contains("--frobnicate", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Staging_profile_relaxes_production_only_rules()
    {
        var production = await WardProcess.RunAsync("check", "examples/staging.yaml", "--profile", "production", "--format", "json");
        var staging = await WardProcess.RunAsync("check", "examples/staging.yaml", "--format", "json");
        Assert.Equal(1, production.ExitCode);
        Assert.Equal(0, staging.ExitCode);
        Assert.Contains("\"NODE-002\"", production.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\"NODE-002\"", staging.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_prints_the_rule_and_an_unknown_rule_is_a_usage_error()
    {
        var known = await WardProcess.RunAsync("check", "--explain", "plc-001");
        Assert.Equal(0, known.ExitCode);
        Assert.Contains("node.role != manager", known.Stdout, StringComparison.Ordinal);
        var unknown = await WardProcess.RunAsync("check", "--explain", "XYZ-999");
        Assert.Equal(64, unknown.ExitCode);
    }

    [Fact]
    public async Task Every_command_has_help()
    {
        foreach (var command in new[] { "check", "rules", "schema" })
        {
            var result = await WardProcess.RunAsync(command, "--help");
            Assert.Equal(0, result.ExitCode);
            Assert.Contains("Usage:", result.Stdout, StringComparison.Ordinal);
        }
    }
}
