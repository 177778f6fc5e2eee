using System.Text;
using Ward.Deploying;
using Ward.Deploying.Loading;
using Ward.Engine.Applying;
using Ward.Engine.Planning;
using Ward.Engine.Ports;
using Ward.Model.Catalog;

namespace Ward.Engine.Tests.Deploying;

/// <summary>
/// The deploy core over the fake engine: environment files loaded by the core's loader from a fresh folder, a
/// deployer with a given lock holder, and an observer that records what the core told it.
/// </summary>
internal sealed class CoreWorld : IDisposable
{
    public CoreWorld(int workers = 2)
    {
        Directory = Path.Combine(Path.GetTempPath(), "ward-core-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Engine = new FakeEngine(workers);
    }

    public string Directory { get; }

    public FakeEngine Engine { get; }

    public FakeImages Images { get; } = new();

    /// <summary>Loads an environment file (written to the folder as env.yaml), as the CLI and the server do.</summary>
    public LoadedEnvironment Load(string yaml, SizeCatalog? catalog = null)
    {
        var loaded = TryLoad(yaml, catalog);
        Assert.True(loaded.Environment is not null, "the file should read:\n" + string.Join("\n", loaded.Read.Diagnostics));
        return loaded.Environment!;
    }

    public LoadResult TryLoad(string yaml, SizeCatalog? catalog = null) => EnvironmentLoader.Load(
        EnvironmentSource.InMemory("env.yaml", Encoding.UTF8.GetBytes(yaml), Directory),
        new LoadOptions { Catalog = catalog ?? SizeCatalog.BuiltIn, Process = new Dictionary<string, string>() },
        DateTimeOffset.Parse("2026-12-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A deployer acting as process <paramref name="pid"/> of this host; only <paramref name="alive"/> processes still run.</summary>
    public Deployer Deployer(int pid = 1000, params int[] alive) =>
        new(Engine, Images, TimeProvider.System, new LockHolder("test-host", pid), p => p == pid || alive.Contains(p));

    public static DeployRequest Quick(bool force = false, params string[] restart) => new()
    {
        Force = force,
        Restart = restart,
        Apply = new ApplyOptions { PollInterval = TimeSpan.FromMilliseconds(1), Timeout = TimeSpan.FromSeconds(10) },
    };

    public IReadOnlyList<ObservedObject> Locks => [.. Engine.Objects.Where(o => o.Kind == ObjectKind.Config && o.Name.StartsWith("ward-lock.", StringComparison.Ordinal))];

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder: it goes with the machine.
        }
    }
}

/// <summary>Records what the core tells an observer; confirms or declines as told.</summary>
internal sealed class RecordingObserver(bool confirm = true) : IDeployObserver
{
    public List<string> Events { get; } = [];

    public DeploymentPlan? Plan { get; private set; }

    public void Planned(DeploymentPlan deployment, GateVerdict gate)
    {
        Plan = deployment;
        Events.Add($"planned {deployment.Plan.Steps.Count} steps");
    }

    public Task<bool> ConfirmAsync(DeploymentPlan deployment, CancellationToken cancellationToken)
    {
        Events.Add("asked");
        return Task.FromResult(confirm);
    }

    public void StepStarted(PlanStep step)
    {
    }

    public void StepFinished(PlanStep step, string? error) => Events.Add($"{step.Change} {step.Target} {step.Name}{(error is null ? "" : $": {error}")}");

    public void Waiting(IReadOnlyList<ServiceProgress> services)
    {
    }

    public void Note(string message) => Events.Add($"note {message}");
}

/// <summary>
/// Images as the local cluster's image source reports them: each tag pinned to the ID a test gives it; tags with no
/// ID are on no node. Records what it was asked to distribute.
/// </summary>
internal sealed class FakeImages : IImageSource
{
    public Dictionary<string, string> Ids { get; } = new(StringComparer.Ordinal);

    public List<string> Distributed { get; } = [];

    public Task<ImageResolution> ResolveAsync(IReadOnlyCollection<string> images, CancellationToken cancellationToken) =>
        Task.FromResult(new ImageResolution(
            ImagePinning.ImageId,
            images.Where(Ids.ContainsKey).ToDictionary(i => i, i => Ids[i], StringComparer.Ordinal),
            [.. images.Where(i => !Ids.ContainsKey(i))]));

    public Task DistributeAsync(ImageResolution resolution, Action<string> report, CancellationToken cancellationToken)
    {
        Distributed.AddRange(resolution.Pinned.Keys);
        return Task.CompletedTask;
    }

    public Task<long?> SizeAsync(string image, CancellationToken cancellationToken) => Task.FromResult<long?>(null);
}
