using Ward.Model.Compose;
using static Ward.Model.Tests.Support.Reader;

namespace Ward.Model.Tests.Syntax;

/// <summary>Durations (Go time.ParseDuration), byte sizes (go-units RAMInBytes), cpus and command strings.</summary>
public sealed class ValueFormatTests
{
    [Theory]
    [InlineData("1m30s", 90_000)]
    [InlineData("10s", 10_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("2h45m", 9_900_000)]
    [InlineData("500ms", 500)]
    [InlineData("1.5s", 1_500)]
    [InlineData(".5s", 500)]
    [InlineData("5.s", 5_000)]
    [InlineData("+5s", 5_000)]
    [InlineData("-5s", -5_000)]
    [InlineData("0", 0)]
    [InlineData("1h1h", 7_200_000)]
    [InlineData("1.5h30m0.5s", 7_200_500)]
    public void Durations_the_cli_accepts(string text, long milliseconds)
    {
        var web = Service(WebService($"stop_grace_period: \"{text}\""));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), web.StopGracePeriod);
    }

    [Theory]
    [InlineData("1us")]
    [InlineData("1µs")]
    [InlineData("1ns")]
    [InlineData("-9223372036854775808ns")]
    [InlineData("9223372036854775807ns")]
    [InlineData("2562047h")]
    public void Tiny_and_extreme_durations_the_cli_accepts(string text)
    {
        Reads(WebService($"stop_grace_period: \"{text}\""));
    }

    [Theory]
    [InlineData("\"10\"", "'10'")]
    [InlineData("\"\"", "''")]
    [InlineData("1d", "'1d'")]
    [InlineData("10S", "'10S'")]
    [InlineData("\"1 s\"", "'1 s'")]
    [InlineData("1e3s", "'1e3s'")]
    [InlineData("99999999999h", "'99999999999h'")]
    [InlineData("9223372036854775808ns", "'9223372036854775808ns'")]
    [InlineData("\".s\"", "'.s'")]
    public void Durations_the_cli_refuses(string text, string named)
    {
        Names(Refused(WebService($"stop_grace_period: {text}"), "WARD-SCHEMA", "services.web.stop_grace_period"), named, "1m30s");
    }

    [Fact]
    public void An_unquoted_number_is_not_a_duration_string()
    {
        Names(Refused(WebService("stop_grace_period: 10"), "WARD-SCHEMA", "services.web.stop_grace_period"), "integer 10", "a duration string");
    }

    [Fact]
    public void Every_duration_key_is_checked()
    {
        var result = Read(WebService("""
            healthcheck: { interval: 1, timeout: x, start_period: 2d, start_interval: "3" }
            deploy:
              restart_policy: { delay: a, window: b }
              update_config: { delay: c, monitor: d }
              rollback_config: { delay: e, monitor: f }
            """));
        foreach (var path in new[]
        {
            "healthcheck.interval", "healthcheck.timeout", "healthcheck.start_period", "healthcheck.start_interval",
            "deploy.restart_policy.delay", "deploy.restart_policy.window", "deploy.update_config.delay",
            "deploy.update_config.monitor", "deploy.rollback_config.delay", "deploy.rollback_config.monitor",
        })
        {
            Refused(result, "WARD-SCHEMA", "services.web." + path);
        }
    }

    [Theory]
    [InlineData("512M", 512L << 20)]
    [InlineData("\"536870912\"", 536870912L)]
    [InlineData("512mb", 512L << 20)]
    [InlineData("512MiB", 512L << 20)]
    [InlineData("512kib", 512L << 10)]
    [InlineData("512KB", 512L << 10)]
    [InlineData("512b", 512L)]
    [InlineData("\"5 b\"", 5L)]
    [InlineData("1.5g", 3L << 29)]
    [InlineData("\"512 M\"", 512L << 20)]
    [InlineData("\".5k\"", 512L)]
    [InlineData("\"5.\"", 5L)]
    [InlineData("\"5 \"", 5L)]
    [InlineData("\"0\"", 0L)]
    [InlineData("\"1e3\"", 1000L)]
    [InlineData("\"1.5\"", 1L)]
    [InlineData("\"1_000\"", 1000L)]
    [InlineData("2T", 2L << 40)]
    [InlineData("1P", 1L << 50)]
    [InlineData("99999999999999999999T", long.MaxValue)]
    public void Memory_sizes_the_cli_accepts(string text, long bytes)
    {
        var web = Service(WebService($"deploy:\n  resources:\n    limits: {{ memory: {text} }}\n    reservations: {{ memory: {text} }}"));
        Assert.Equal(bytes, web.Deploy.Resources.Limits!.MemoryBytes);
        Assert.Equal(bytes, web.Deploy.Resources.Reservations!.MemoryBytes);
    }

    [Theory]
    [InlineData("lots", "'lots'")]
    [InlineData("\"\"", "''")]
    [InlineData("\"-1\"", "'-1'")]
    [InlineData("1.2.3M", "'1.2.3M'")]
    [InlineData("\" 512M\"", "' 512M'")]
    [InlineData("\"512  M\"", "'512  M'")]
    [InlineData("\"0x10\"", "'0x10'")]
    [InlineData("512Mi", "'Mi'")]
    [InlineData("512iB", "'iB'")]
    [InlineData("1E", "'E'")]
    [InlineData("5bb", "'bb'")]
    [InlineData("5kbb", "'kbb'")]
    [InlineData("Inf", "'Inf'")]
    [InlineData("\"1e400\"", "'1e400'")]
    public void Memory_sizes_the_cli_refuses(string text, string named)
    {
        var error = Refused(WebService($"deploy:\n  resources:\n    limits: {{ memory: {text} }}"), "WARD-SCHEMA", "services.web.deploy.resources.limits.memory");
        Names(error, named);
    }

    [Fact]
    public void Memory_must_be_a_string()
    {
        var error = Refused(WebService("deploy:\n  resources:\n    reservations: { memory: 536870912 }"), "WARD-SCHEMA", "services.web.deploy.resources.reservations.memory");
        Names(error, "integer 536870912", "a string", "\"536870912\"");
    }

    [Theory]
    [InlineData("\"0.5\"", 0.5)]
    [InlineData("\"2\"", 2.0)]
    [InlineData("\"1_0\"", 10.0)]
    public void Cpus_are_strings(string text, double cpus)
    {
        Assert.Equal(cpus, Service(WebService($"deploy:\n  resources:\n    limits: {{ cpus: {text} }}")).Deploy.Resources.Limits!.Cpus);
    }

    [Theory]
    [InlineData("0.5", "number 0.5")]
    [InlineData("1", "integer 1")]
    public void Cpus_as_numbers_are_refused(string text, string named)
    {
        Names(Refused(WebService($"deploy:\n  resources:\n    limits: {{ cpus: {text} }}"), "WARD-SCHEMA", "services.web.deploy.resources.limits.cpus"), named, $"\"{text}\"");
    }

    [Fact]
    public void Cpus_text_is_not_checked_by_the_cli_but_blocks_the_deploy()
    {
        Names(ReadsWith(WebService("deploy:\n  resources:\n    limits: { cpus: lots }"), "CMP-002", "services.web.deploy.resources.limits.cpus"), "'lots'");
    }

    [Theory]
    [InlineData("echo hello", new[] { "echo", "hello" })]
    [InlineData("sh -c 'echo \"a b\" && ls'", new[] { "sh", "-c", "echo \"a b\" && ls" })]
    [InlineData("a\\ b c", new[] { "a b", "c" })]
    [InlineData("echo \"a\\\"b\"", new[] { "echo", "a\"b" })]
    [InlineData("echo \"a\\nb\" 'x\\y'", new[] { "echo", "anb", "x\\y" })]
    [InlineData("echo a#b #c d", new[] { "echo", "a#b" })]
    [InlineData("a\u00a0b", new[] { "a\u00a0b" })]
    [InlineData("echo '' x", new[] { "echo", "", "x" })]
    [InlineData("  spaced   out  ", new[] { "spaced", "out" })]
    [InlineData("", new string[0])]
    public void Command_strings_are_split_as_a_shell_does(string text, string[] words)
    {
        var web = Service(WebService($"command: '{text.Replace("'", "''", StringComparison.Ordinal)}'\nentrypoint: '{text.Replace("'", "''", StringComparison.Ordinal)}'"));
        Assert.Equal(words, web.Command);
        Assert.Equal(words, web.Entrypoint);
    }

    [Fact]
    public void Command_lists_are_kept_and_may_repeat_words()
    {
        var web = Service(WebService("command: [nginx, -g, daemon off;, -g, x]\nentrypoint: [a, a]"));
        Assert.Equal(["nginx", "-g", "daemon off;", "-g", "x"], web.Command);
        Assert.Equal(["a", "a"], web.Entrypoint);
    }

    [Theory]
    [InlineData("echo 'oops", "quote")]
    [InlineData("echo \\", "escape")]
    public void A_command_string_that_cannot_be_split_is_refused(string text, string named)
    {
        Names(Refused(WebService($"command: '{text.Replace("'", "''", StringComparison.Ordinal)}'"), "WARD-SCHEMA", "services.web.command"), named);
    }

    [Fact]
    public void Byte_sizes_and_durations_parse_directly()
    {
        Assert.True(ByteSize.TryParse("1k", out var bytes));
        Assert.Equal(1024, bytes);
        Assert.False(ByteSize.TryParse("1.2.3", out _));
        Assert.True(GoDuration.TryParse("1h2m3s", out var duration));
        Assert.Equal(new TimeSpan(1, 2, 3), duration);
        Assert.True(GoNumbers.TryParseFloat("0x1p4", out var hex));
        Assert.Equal(16, hex);
        Assert.False(GoNumbers.TryParseFloat("1__0", out _));
        Assert.False(GoNumbers.TryParseFloat("_1", out _));
    }
}
