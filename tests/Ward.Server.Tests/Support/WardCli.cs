using System.Diagnostics;

namespace Ward.Server.Tests.Support;

/// <summary>Runs the built ward command (copied next to the tests) as a user would.</summary>
internal static class WardCli
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n{Stdout}\n{Stderr}";
    }

    public static async Task<Result> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ward.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The store options of `ward audit verify` for a store.</summary>
    public static string[] StoreArguments(StoreTarget store, string dataDirectory) => store.Provider == "postgres"
        ? ["--store", "postgres", "--connection", store.ConnectionString!]
        : ["--data", dataDirectory];
}
