using System.Text;
using Microsoft.EntityFrameworkCore;
using Ward.Engine.Desired;
using Ward.Engine.Observing;
using Ward.Engine.Planning;
using Ward.Engine.Ports;
using Ward.Model.Compose;
using Ward.Model.Reading;
using Ward.Model.Spec;
using Ward.Rules;
using Ward.Store;
using Ward.Store.Entities;

namespace Ward.Server.Services;

/// <summary>An environment file read, checked and ready to plan.</summary>
public sealed record LoadedEnvironment(StoredEnvironment Stored, ReadResult Read, EnvironmentSpec Spec);

/// <summary>
/// Environments registered from their files: reading and checking them with the same reader and rules as the CLI,
/// planning against the swarm, and the desired objects with Ward-managed secret values from the store.
/// </summary>
public sealed class EnvironmentService(StoreOptions store, EngineAccess engine, SecretVault vault, TimeProvider time, IConfiguration configuration)
{
    /// <summary>Where relative <c>file:</c> paths of registered environments resolve: the server's files folder.</summary>
    private string FilesDirectory => Path.Combine(configuration[$"{ServerOptions.Section}:DataDirectory"] ?? "/var/lib/ward/data", "files");

    /// <summary>Reads a file as the CLI does; interpolation uses the server's environment.</summary>
    public ReadResult Read(string fileName, string content) =>
        EnvironmentFileReader.ReadBytes(Encoding.UTF8.GetBytes(content), fileName, FilesDirectory, new ReaderOptions { Variables = VariableSource.FromProcess() });

    public async Task<LoadedEnvironment?> LoadAsync(string name, CancellationToken cancellationToken)
    {
        await using var context = store.CreateContext();
        var stored = await context.Environments.AsNoTracking().FirstOrDefaultAsync(e => e.Name == name, cancellationToken);
        if (stored is null)
        {
            return null;
        }

        var read = Read(stored.FileName, stored.Content);
        return read.Spec is { } spec ? new LoadedEnvironment(stored, read, spec) : null;
    }

    public CheckResult Check(LoadedEnvironment environment, EnvironmentKind? profile, bool useWaivers)
    {
        var context = new RuleContext(environment.Spec, Model.Catalog.SizeCatalog.BuiltIn, profile ?? environment.Spec.Kind, time.GetUtcNow())
        {
            ReaderDiagnostics = environment.Read.Diagnostics,
            Files = new DirectorySideFiles(FilesDirectory),
        };
        return Checker.Run(context, useWaivers, environment.Read.Locate);
    }

    public async Task<(IReadOnlyList<DesiredObject> Desired, IReadOnlyList<DesiredNode> Nodes)> DesiredAsync(LoadedEnvironment environment, CancellationToken cancellationToken)
    {
        await using var context = store.CreateContext();
        var secrets = await context.Secrets.AsNoTracking().Where(s => s.Environment == environment.Spec.Name).ToListAsync(cancellationToken);
        var converter = new StackConverter(
            FilesDirectory,
            Environment.GetEnvironmentVariable,
            path => File.Exists(path) ? File.ReadAllBytes(path) : null,
            (kind, key) => kind == ObjectKind.Secret && secrets.FirstOrDefault(s => s.Key == key) is { } stored ? vault.Unprotect(stored.ProtectedValue) : null);
        var desired = converter.Convert(environment.Spec);
        var nodes = environment.Spec.Nodes.Select(n => new DesiredNode(n.Name, n.Address, n.Labels, n.Availability.ToString().ToLowerInvariant(), n.Role.ToString().ToLowerInvariant())).ToList();
        return (desired, nodes);
    }

    public async Task<Plan> PlanAsync(LoadedEnvironment environment, bool prune, CancellationToken cancellationToken)
    {
        var (desired, nodes) = await DesiredAsync(environment, cancellationToken);
        var observed = await StateReader.ReadAsync(engine.Engine, environment.Spec.Name, cancellationToken);
        return Planner.Make(environment.Spec.Name, desired, nodes, observed, prune);
    }
}
