namespace Ward.Docker.Tests.Support;

/// <summary>
/// Ward's database image (images/db) on every node of the test cluster: built by scripts/build-images.sh (from its
/// cache when nothing changed) and imported with the ward under test, as ./ward up does for the local cluster.
/// </summary>
internal static class DatabaseImage
{
    public const string Tag = "ward/db:15.20-2.45";

    private static readonly SemaphoreSlim Once = new(1, 1);
    private static bool _imported;

    public static async Task EnsureAsync()
    {
        await Once.WaitAsync();
        try
        {
            if (_imported)
            {
                return;
            }

            var wrapper = Path.Combine(Scratch.Folder("db-image"), "ward");
            await File.WriteAllTextAsync(wrapper, $"#!/bin/bash\nexec dotnet '{Path.Combine(AppContext.BaseDirectory, "ward.dll")}' \"$@\"\n");
            await Processes.RequireAsync("chmod", "755", wrapper);

            // A new test cluster holds no image, so `ward image sync` fails there and the script imports its build.
            var built = await Processes.RunAsync("bash", [Repository.PathOf("scripts", "build-images.sh"), "db"], WardCli.Environment(new Dictionary<string, string?> { ["WARD"] = wrapper }), TimeSpan.FromMinutes(20));
            Assert.True(built.ExitCode == 0, $"scripts/build-images.sh db failed: {built}");
            _imported = true;
        }
        finally
        {
            Once.Release();
        }
    }
}
