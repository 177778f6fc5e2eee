using System.Collections.Concurrent;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Ward.Deploying;
using Ward.Deploying.Balancing;
using Ward.Deploying.Databases;
using Ward.Deploying.Live;
using Ward.Deploying.Loading;
using Ward.Engine.Ports;
using Ward.Model.Catalog;
using Ward.Model.Reading;
using Ward.Store;

namespace Ward.Server.Services;

/// <summary>
/// Environments registered from their files, loaded through the core's loader as the CLI loads files from disk: the
/// same reader, catalog and rules. Relative paths resolve in the server's files folder; the values of secrets Ward
/// keeps come from the store. Plans and applies go through the core's <see cref="Deployer"/>.
/// </summary>
public sealed class EnvironmentService(StoreOptions store, EngineAccess engine, SecretVault vault, TimeProvider time, IOptions<ServerOptions> options, SizeCatalog catalog, DomainObservations observations)
{
    /// <summary>How long facts from the swarm and DNS serve the findings before they are looked up again.</summary>
    public static readonly TimeSpan LiveFactsLifetime = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, (DateTimeOffset At, LiveFacts Facts)> _live = new(StringComparer.Ordinal);
    private readonly Lazy<DnsResolver> _resolver = new(() => DnsResolver.Create(options.Value.DnsResolver));

    /// <summary>Where relative <c>file:</c> paths of registered environments resolve: the server's files folder.</summary>
    private string FilesDirectory => Path.Combine(options.Value.DataDirectory, "files");

    /// <summary>Reads a file before it is stored (to register or replace it), as the CLI reads one.</summary>
    public ReadResult Read(string fileName, string content) => Load(fileName, content, managedContent: null).Read;

    public async Task<LoadedEnvironment?> LoadAsync(string name, CancellationToken cancellationToken)
    {
        await using var context = store.CreateContext();
        var stored = await context.Environments.AsNoTracking().FirstOrDefaultAsync(e => e.Name == name, cancellationToken);
        if (stored is null)
        {
            return null;
        }

        var secrets = await context.Secrets.AsNoTracking().Where(s => s.Environment == name).ToListAsync(cancellationToken);
        return Load(stored.FileName, stored.Content, (kind, key) =>
            kind == ObjectKind.Secret && secrets.FirstOrDefault(s => s.Key == key) is { } secret ? vault.Unprotect(secret.ProtectedValue) : null).Environment;
    }

    /// <summary>The environments' logs on the server's engine.</summary>
    public Deploying.Operations.LogReader Logs() => new(engine.Engine, time);

    public Deployer Deployer() => new(engine.Engine, engine.Images, time, balancer: Balancer());

    /// <summary>The load balancers' routes on the server's engine, with the server's DNS resolver.</summary>
    public LoadBalancerSync Balancer() => new(engine.Engine, _resolver.Value, Probe);

    private static HttpRouteProbe Probe { get; } = new();

    /// <summary>
    /// The environment with facts from the swarm and DNS for the rules that need them (see <see cref="LiveFactsAsync"/>).
    /// Without a swarm to ask it is returned as it is, and those rules say they were not checked.
    /// </summary>
    public async Task<LoadedEnvironment> WithLiveFactsAsync(LoadedEnvironment environment, CancellationToken cancellationToken)
    {
        try
        {
            return environment.WithLive(await LiveFactsAsync(environment, cancellationToken));
        }
        catch (EngineException)
        {
            return environment;
        }
    }

    /// <summary>
    /// Facts from the swarm and DNS (with the load balancer's certificates), looked up at most every
    /// <see cref="LiveFactsLifetime"/> per environment, and since when Ward has seen each domain point at the manager.
    /// </summary>
    /// <exception cref="EngineException">The swarm could not be asked.</exception>
    public async Task<LiveFacts> LiveFactsAsync(LoadedEnvironment environment, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!_live.TryGetValue(environment.Name, out var cached) || now - cached.At > LiveFactsLifetime)
        {
            var facts = await LiveFacts.GatherAsync(environment.Spec, engine.Images, _resolver.Value, new Rehearsals(engine.Engine, time), cancellationToken);
            if (await Balancer().ObserveAsync(environment.Name, cancellationToken) is { } balancer)
            {
                facts = facts.WithCertificates(DomainStatus.Certificates(DomainStatus.Of(balancer)));
            }

            cached = (now, facts);
            _live[environment.Name] = cached;
        }

        // Observations change only when the watcher looks; they are read fresh each time.
        return cached.Facts.WithMappedSince(await MappedSinceAsync(environment.Name, cancellationToken));
    }

    /// <summary>Since when Ward has seen each of the environment's domains point at the manager (the watcher's observations).</summary>
    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> MappedSinceAsync(string environment, CancellationToken cancellationToken) =>
        DomainObservations.MappedSince(await observations.HistoryAsync(environment, cancellationToken));

    private LoadResult Load(string fileName, string content, Func<ObjectKind, string, byte[]?>? managedContent) => EnvironmentLoader.Load(
        EnvironmentSource.InMemory(fileName, Encoding.UTF8.GetBytes(content), FilesDirectory),
        new LoadOptions { Catalog = catalog, ManagedContent = managedContent, VersionOf = vault.ObjectVersion },
        time.GetUtcNow());
}
