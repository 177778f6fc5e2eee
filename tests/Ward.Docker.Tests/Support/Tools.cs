namespace Ward.Docker.Tests.Support;

/// <summary>
/// The built ward command, run as a user runs it (`dotnet ward.dll ...` from this project's output folder), against
/// the test cluster: WARD_CLUSTER_DIR names its state folder; DOCKER_HOST of the caller never leaks in.
/// </summary>
internal static class WardCli
{
    public static Dictionary<string, string?> Environment(IReadOnlyDictionary<string, string?>? extra = null)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["WARD_CLUSTER_DIR"] = TestCluster.StateDirectory,
            ["DOCKER_HOST"] = null,
            ["DOCKER_TLS_VERIFY"] = null,
            ["NO_COLOR"] = "1",
            ["WARD_DEBUG"] = null,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        return environment;
    }

    public static Task<ProcessResult> RunAsync(params string[] arguments) => RunAsync(arguments, null);

    public static Task<ProcessResult> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment, TimeSpan? timeout = null) =>
        Processes.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "ward.dll"), .. arguments], Environment(environment), timeout ?? TimeSpan.FromMinutes(4));

    public static RunningProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null) =>
        Processes.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "ward.dll"), .. arguments], Environment(environment));

    /// <summary>
    /// Starts ward so that SIGINT reaches it as Ctrl-C does: a process started in the background by a shell without
    /// job control inherits SIGINT ignored, so perl (Debian's perl-base) restores the default before it runs ward.
    /// </summary>
    public static RunningProcess StartInterruptible(IEnumerable<string> arguments) =>
        Processes.Start("perl", ["-e", "$SIG{INT} = 'DEFAULT'; exec { $ARGV[0] } @ARGV or die \"exec: $!\"", "dotnet", Path.Combine(AppContext.BaseDirectory, "ward.dll"), .. arguments], Environment());

    /// <summary>ward apply FILE --yes against the test cluster's manager.</summary>
    public static Task<ProcessResult> ApplyAsync(string file, params string[] more) =>
        RunAsync(["apply", file, "--yes", "--host", TestCluster.ManagerHost, .. more], null);

    public static RunningProcess StartApply(string file, params string[] more) =>
        Start(["apply", file, "--yes", "--host", TestCluster.ManagerHost, .. more]);

    public static Task<ProcessResult> DestroyAsync(string environment) =>
        RunAsync("destroy", environment, "--yes", "--host", TestCluster.ManagerHost);

    /// <summary>One clear message: no .NET stack trace and no "internal error".</summary>
    public static void AssertNoStackTrace(ProcessResult result)
    {
        Assert.DoesNotContain("   at ", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Output, StringComparison.Ordinal);
    }
}

/// <summary>The Docker CLI, the reference tool (never the product): it talks to the test cluster's manager.</summary>
internal static class DockerCli
{
    public const string Program = "/usr/local/bin/docker";

    public static Task<ProcessResult> RunAsync(params string[] arguments) => RunOnAsync(TestCluster.ManagerHost, arguments);

    public static Task<ProcessResult> RunOnAsync(string host, params string[] arguments) =>
        Processes.RunAsync(Program, ["-H", host, .. arguments], new Dictionary<string, string?> { ["DOCKER_HOST"] = null, ["DOCKER_CONTEXT"] = null }, TimeSpan.FromMinutes(2));

    public static async Task<string> RequireAsync(params string[] arguments)
    {
        var result = await RunAsync(arguments);
        Assert.True(result.ExitCode == 0, $"docker {string.Join(' ', arguments)} failed: {result}");
        return result.Stdout;
    }
}
