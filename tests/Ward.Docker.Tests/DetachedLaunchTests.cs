using Ward.Docker.Cluster;

namespace Ward.Docker.Tests;

/// <summary>
/// A node's engine is started detached and without the caller's open files. CI runners and test hosts hand down
/// descriptors above 9; the launch must start the program all the same and must not pass them on.
/// </summary>
public sealed class DetachedLaunchTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("ward-launch-").FullName;

    [Theory]
    [InlineData(5)]
    [InlineData(12)]
    [InlineData(200)]
    public async Task A_program_launched_from_a_caller_holding_a_descriptor_starts_without_it(int descriptor)
    {
        var answer = Path.Combine(folder, "answer");
        var log = Path.Combine(folder, "log");
        string[] program = ["/bin/sh", "-c", $"if [ -e /proc/$$/fd/{descriptor} ]; then echo held; else echo closed; fi > '{answer}'"];
        var launch = NodeEngine.DetachedLaunch(program, log);

        // The caller holds the descriptor open (as flock does for its lock file) and then runs the launch.
        var caller = $"exec {descriptor}>'{Path.Combine(folder, "lock")}'; exec {NodeEngine.LaunchShell} -c {Quote(launch)}";
        var result = await HostCommand.RunAsync("/bin/bash", ["-c", caller], TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("closed", await ReadWhenWrittenAsync(answer));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static async Task<string> ReadWhenWrittenAsync(string path)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the launched program did not write {path} within 10 s");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        return (await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken)).Trim();
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
