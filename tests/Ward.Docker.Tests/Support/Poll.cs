using System.Diagnostics;

namespace Ward.Docker.Tests.Support;

/// <summary>Waiting for the swarm: polls a condition until it holds or time runs out.</summary>
internal static class Poll
{
    /// <summary>Polls until <paramref name="condition"/> holds; returns how long it took, or null when it never did.</summary>
    public static async Task<TimeSpan?> UntilAsync(Func<Task<bool>> condition, TimeSpan patience, TimeSpan? interval = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await condition())
            {
                return clock.Elapsed;
            }

            if (clock.Elapsed > patience)
            {
                return null;
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(250), TestContext.Current.CancellationToken);
        }
    }

    /// <summary>As <see cref="UntilAsync"/>, failing the test with <paramref name="what"/> when the condition never holds.</summary>
    public static async Task<TimeSpan> RequireAsync(string what, Func<Task<bool>> condition, TimeSpan patience, TimeSpan? interval = null) =>
        await UntilAsync(condition, patience, interval) ?? throw new Xunit.Sdk.XunitException($"{what}: not within {patience.TotalSeconds:0} s");
}

/// <summary>Folders for the files a test writes (environment files, secrets), under /tmp, fresh per test.</summary>
internal static class Scratch
{
    public static string Folder(string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), "ward-docker-tests", name);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        return folder;
    }
}
