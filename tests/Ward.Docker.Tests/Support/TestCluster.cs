using System.Diagnostics;
using System.Formats.Tar;
using Ward.Docker.Cluster;

namespace Ward.Docker.Tests.Support;

/// <summary>Every test that uses the test cluster is in this collection: they run one after the other, on one cluster.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<TestCluster>
{
    public const string Name = "test cluster";
}

/// <summary>
/// The tests' own swarm: a manager and two workers, each an engine in its own network namespace on the bridge
/// wardt0 (10.214.0.0/24), with the ward/busybox:1.0 image on every node. It is separate from the shared cluster
/// (ward0) that other people use meanwhile, which the tests never touch. Brought up before the first test and taken
/// down after the last, when the host must hold nothing of it any more. A machine that cannot run it (not root, no
/// dockerd) fails every test with the reason; nothing is skipped.
/// </summary>
public sealed class TestCluster : IAsyncLifetime
{
    public const string Bridge = "wardt0";
    public const string Subnet = "10.214.0.0/24";
    public const string StateDirectory = "/var/lib/ward/test-cluster";
    public const string RunDirectory = "/run/ward/test-cluster";
    public const string Image = "ward/busybox:1.0";

    /// <summary>Folders of the other clusters on this machine: busy meanwhile, never touched, left out of host snapshots.</summary>
    public static readonly string[] ForeignFolders = ["/var/lib/ward/cluster", "/run/ward/cluster", "/var/lib/ward/clinic"];

    private readonly List<string> _log = [];
    private readonly SemaphoreSlim _imagesGate = new(1, 1);
    private readonly HashSet<string> _images = new(StringComparer.Ordinal);

    public static string ManagerSocket => SocketOf("manager-1");

    public static string ManagerHost => "unix://" + ManagerSocket;

    public static string[] Folders => [StateDirectory, RunDirectory];

    /// <summary>Why the cluster could not be made, when it could not.</summary>
    public string? Problem { get; private set; }

    public TimeSpan UpTime { get; private set; }

    internal RawEngine Manager { get; } = new(ManagerSocket);

    public static string SocketOf(string node) => Path.Combine(RunDirectory, node, "docker.sock");

    public static ClusterLayout NewLayout() => new()
    {
        Bridge = Bridge,
        Subnet = Subnet,
        StateDirectory = StateDirectory,
        RunDirectory = RunDirectory,
    };

    /// <summary>Fails the calling test, with the reason, when the machine cannot run the test cluster.</summary>
    public void Require()
    {
        if (Problem is not null)
        {
            Assert.Fail(Problem);
        }
    }

    public async ValueTask InitializeAsync()
    {
        Problem = MachineProblem();
        if (Problem is not null)
        {
            return;
        }

        var clock = Stopwatch.StartNew();
        try
        {
            await new LocalCluster(NewLayout(), new Progress(_log)).UpAsync(2, CancellationToken.None);
        }
        catch (Exception e) when (e is ClusterException or Engine.Ports.EngineException or IOException)
        {
            Problem = $"The test cluster ({Bridge}, {Subnet}, {StateDirectory}) could not be brought up: {e.Message}\n{string.Join('\n', _log)}";
            return;
        }

        UpTime = clock.Elapsed;

        // A cluster kept from an earlier run (WARD_TEST_KEEP_CLUSTER, or a run that was killed) may still hold stacks.
        await Stacks.RemoveAllAsync(Manager, CancellationToken.None);
        var rootfs = Path.Combine(Scratch.Folder("image"), "busybox-rootfs.tar");
        WriteBusyboxRootfs(rootfs);
        var import = await WardCli.RunAsync(["image", "import", rootfs, "-t", Image, "-c", "ENV PATH=/bin"], null);
        if (import.ExitCode != 0)
        {
            Problem = $"ward image import of {Image} into the test cluster failed: {import}";
        }
    }

    /// <summary>
    /// Puts one of the images scripts/build-images.sh makes (images/NAME or examples/clinic/app/NAME, e.g. lb for
    /// Ward's load balancer) on every node of the test cluster, once per run, the way a clean CI machine gets it: the
    /// script builds its root filesystem from Debian packages when /var/cache/ward (WARD_CACHE) has no tar of this
    /// build yet, and imports it with this build's ward command.
    /// </summary>
    public async Task RequireImageAsync(string name)
    {
        Require();
        await _imagesGate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (_images.Contains(name))
            {
                return;
            }

            var ward = Path.Combine(Scratch.Folder("ward-command"), "ward");
            File.WriteAllText(ward, $"#!/bin/sh\nexec dotnet '{Path.Combine(AppContext.BaseDirectory, "ward.dll")}' \"$@\"\n");
            if (OperatingSystem.IsLinux())
            {
                File.SetUnixFileMode(ward, (UnixFileMode)0b111_101_101);
            }

            var build = await Processes.RunAsync(
                Repository.PathOf("scripts", "build-images.sh"),
                [name],
                WardCli.Environment(new Dictionary<string, string?> { ["WARD"] = ward }),
                TimeSpan.FromMinutes(15));
            Assert.True(build.ExitCode == 0, $"scripts/build-images.sh {name} for the test cluster failed: {build}");
            _images.Add(name);
        }
        finally
        {
            _imagesGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Manager.Dispose();
        _imagesGate.Dispose();

        // For debugging a test by hand: WARD_TEST_KEEP_CLUSTER=1 leaves the cluster up after the run.
        if (MachineProblem() is not null || Environment.GetEnvironmentVariable("WARD_TEST_KEEP_CLUSTER") == "1")
        {
            return;
        }

        await new LocalCluster(NewLayout(), new Progress(_log)).DownAsync(CancellationToken.None);
        var left = HostSnapshot.Belonging(await HostSnapshot.TakeAsync(Folders, ForeignFolders), Bridge, Folders);
        if (left.Count > 0)
        {
            throw new InvalidOperationException($"ward cluster down left residue of the test cluster on the host:\n{string.Join('\n', left)}");
        }
    }

    /// <summary>Why this machine cannot run a local cluster at all, or null.</summary>
    public static string? MachineProblem()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return "These tests need root: the test cluster is made of network namespaces, a bridge and Docker engines. Run them as root.";
        }

        foreach (var (path, package) in new[] { ("/usr/sbin/dockerd", "docker.io"), (DockerCli.Program, "the Docker CLI 28.x (the reference)"), ("/usr/bin/busybox", "busybox-static") })
        {
            if (!File.Exists(path) && !(path.EndsWith("dockerd", StringComparison.Ordinal) && HostCommand.Exists("dockerd")))
            {
                return $"{path} is missing: the test cluster needs it (install {package}, e.g. with scripts/setup.sh).";
            }
        }

        return null;
    }

    /// <summary>A root filesystem of Debian's static busybox: bin/ with the applets the tests' services use, and tmp/.</summary>
    private static void WriteBusyboxRootfs(string path)
    {
        using var file = File.Create(path);
        using var tar = new TarWriter(file, TarEntryFormat.Pax);
        tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "bin/") { Mode = (UnixFileMode)0b111_101_101 });
        tar.WriteEntry("/usr/bin/busybox", "bin/busybox");
        foreach (var applet in new[] { "sh", "sleep", "httpd", "echo", "cat", "wget", "test", "ls", "mkdir", "hostname", "id", "env", "true", "false", "nc", "ps", "kill" })
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, $"bin/{applet}") { LinkName = "busybox", Mode = (UnixFileMode)0b111_111_111 });
        }

        tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "tmp/") { Mode = (UnixFileMode)0b111_111_111 });
        tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "www/") { Mode = (UnixFileMode)0b111_101_101 });
    }

    private sealed class Progress(List<string> log) : IClusterProgress
    {
        public void Report(string message)
        {
            lock (log)
            {
                log.Add(message);
            }
        }
    }
}
