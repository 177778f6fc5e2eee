using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Ward.Deploying.Live;
using Ward.Deploying.Loading;
using Ward.Engine.Ports;
using Ward.Model.Spec;
using Ward.Store;

namespace Ward.Server.Services;

/// <summary>
/// Looks at every registered environment's domains periodically (Ward:DnsCheckInterval) and records what their A
/// records are and whether they point at the manager: since when a domain has pointed there is then observed, not
/// declared, and the console shows the history.
/// </summary>
public sealed partial class DomainWatcher(
    StoreOptions store,
    EnvironmentService environments,
    DomainObservations observations,
    EngineAccess engine,
    IOptions<ServerOptions> options,
    TimeProvider time,
    ILogger<DomainWatcher> logger) : BackgroundService
{
    private readonly Lazy<DnsResolver> _resolver = new(() => DnsResolver.Create(options.Value.DnsResolver));

    /// <summary>Looks at one environment's domains now and records what it sees.</summary>
    public async Task CheckAsync(LoadedEnvironment environment, CancellationToken cancellationToken)
    {
        var manager = await ManagerAddressAsync(environment.Spec, cancellationToken);
        foreach (var name in environment.Spec.Domains.SelectMany(d => new[] { d.Name }.Concat(d.Redirects)).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var records = await _resolver.Value.ResolveAAsync(name, cancellationToken);
            if (records is null)
            {
                // No answer says nothing about the record: the history keeps what was last seen.
                continue;
            }

            var pointsAtManager = manager is not null && records.Count > 0 && records.All(r => r == manager);
            await observations.RecordAsync(environment.Name, name, records, pointsAtManager, time.GetUtcNow(), cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                List<string> names;
                await using (var db = store.CreateContext())
                {
                    names = await db.Environments.AsNoTracking().Select(e => e.Name).ToListAsync(stoppingToken);
                }

                foreach (var name in names)
                {
                    if (await environments.LoadAsync(name, stoppingToken) is { Spec.Domains.Count: > 0 } environment)
                    {
                        await CheckAsync(environment, stoppingToken);
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogCheckFailed(logger, e.Message);
            }

            await Task.Delay(options.Value.DnsCheckInterval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>The manager's public address: the file's, else the swarm's manager's (when the swarm answers).</summary>
    private async Task<string?> ManagerAddressAsync(EnvironmentSpec spec, CancellationToken cancellationToken)
    {
        if (spec.Nodes.FirstOrDefault(n => n.Role == NodeRole.Manager && !string.IsNullOrWhiteSpace(n.Address)) is { } declared)
        {
            return declared.Address;
        }

        try
        {
            var nodes = await engine.Engine.ListNodesAsync(cancellationToken);
            return nodes.FirstOrDefault(n => n is { Role: "manager", IsLeader: true })?.Address ?? nodes.FirstOrDefault(n => n.Role == "manager")?.Address;
        }
        catch (EngineException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking the domains' DNS records failed: {Reason}")]
    private static partial void LogCheckFailed(ILogger logger, string reason);
}
