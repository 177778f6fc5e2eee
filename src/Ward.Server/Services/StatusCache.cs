using System.Collections.Concurrent;
using System.Text.Json;
using Ward.Server.Api.Models;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Ward.Engine.Observing;
using Ward.Engine.Ports;
using Ward.Store;

namespace Ward.Server.Services;

/// <summary>An environment's status as last read from the swarm, with its JSON ready to send.</summary>
public sealed record StatusSnapshot(EnvironmentStatusReport? Report, byte[] Json, DateTimeOffset ReadAt, string? Error);

/// <summary>
/// Keeps every registered environment's status current by reading the swarm on a short period (level-triggered:
/// a full read each time, so nothing is missed), so status requests are answered from memory, never by asking
/// Docker per request.
/// </summary>
public sealed partial class StatusCache(EngineAccess engine, StoreOptions store, IOptions<ServerOptions> options, TimeProvider time, ILogger<StatusCache> logger) : BackgroundService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<string, StatusSnapshot> _snapshots = new(StringComparer.Ordinal);

    public IReadOnlyList<ObservedNode> Nodes { get; private set; } = [];

    public StatusSnapshot? Get(string environment) => _snapshots.GetValueOrDefault(environment);

    /// <summary>Reads one environment now (after an apply, or the first time it is asked for).</summary>
    public async Task<StatusSnapshot> RefreshAsync(string environment, CancellationToken cancellationToken)
    {
        StatusSnapshot snapshot;
        try
        {
            var report = await EnvironmentStatus.ReadAsync(engine.Engine, environment, cancellationToken);
            Nodes = report.Nodes;
            snapshot = new StatusSnapshot(report, JsonSerializer.SerializeToUtf8Bytes(ToDocument(report, time.GetUtcNow()), Json), time.GetUtcNow(), null);
        }
        catch (EngineException e)
        {
            snapshot = new StatusSnapshot(null, JsonSerializer.SerializeToUtf8Bytes(new EnvironmentStatusDocument(environment, "unknown", time.GetUtcNow(), Error: e.Message), Json), time.GetUtcNow(), e.Message);
        }

        _snapshots[environment] = snapshot;
        return snapshot;
    }

    public void Forget(string environment) => _snapshots.TryRemove(environment, out _);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using (var context = store.CreateContext())
                {
                    var names = await context.Environments.AsNoTracking().Select(e => e.Name).ToListAsync(stoppingToken);
                    foreach (var name in names)
                    {
                        await RefreshAsync(name, stoppingToken);
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRefreshFailed(logger, e.Message);
            }

            await Task.Delay(options.Value.StatusRefresh, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// The health word the API reports: the swarm's verdict, except that an environment with no service on the swarm is
    /// "not-deployed" (nothing to be converged, degraded or failed), not "converged".
    /// </summary>
    public static string Health(EnvironmentStatusReport report) =>
        report.Services.Count == 0 ? "not-deployed" : report.Verdict.ToString().ToLowerInvariant();

    /// <summary>The status document the API returns.</summary>
    public static EnvironmentStatusDocument ToDocument(EnvironmentStatusReport report, DateTimeOffset readAt) => new(
        report.Environment,
        Health(report),
        readAt,
        [.. report.Nodes.Select(n => new StatusNode(
            EnvironmentStatus.NodeName(n), n.Id, n.Role, n.State, n.Availability, n.Address, n.Labels.GetValueOrDefault("ward.size"), n.Labels, n.Cpus, n.MemoryBytes))],
        [.. report.Services.Select(s => new StatusService(s.Name, s.Running, s.Desired, s.State, s.LastError, s.Advice, s.Nodes, s.Image))],
        report.Reasons);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the swarm failed: {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, string reason);
}
