using Microsoft.EntityFrameworkCore;
using Ward.Store;
using Ward.Store.Entities;

namespace Ward.Server.Services;

/// <summary>
/// What Ward has seen of each domain's A records, kept in the store: one row per change (records and whether they point
/// at the manager), its first and last sighting. Since when a domain has pointed at the manager is the first row of the
/// current run of rows that do: what DNS-002 counts its 48 hours from.
/// </summary>
public sealed class DomainObservations(StoreOptions store)
{
    /// <summary>Records one look at a domain: extends the last row when the records are the same, else starts a new one.</summary>
    public async Task RecordAsync(string environment, string domain, IReadOnlyList<string> records, bool pointsAtManager, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var text = string.Join(",", records.Order(StringComparer.Ordinal));
        await using var db = store.CreateContext();
        var last = (await db.DomainObservations.Where(o => o.Environment == environment && o.Domain == domain).ToListAsync(cancellationToken)).MaxBy(o => o.Since);
        if (last is not null && last.Records == text && last.PointsAtManager == pointsAtManager)
        {
            last.LastSeen = at;
        }
        else
        {
            db.DomainObservations.Add(new DomainObservation { Environment = environment, Domain = domain, Records = text, PointsAtManager = pointsAtManager, Since = at, LastSeen = at });
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Each domain of the environment and its rows, oldest first.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<DomainObservation>>> HistoryAsync(string environment, CancellationToken cancellationToken)
    {
        await using var db = store.CreateContext();
        var rows = await db.DomainObservations.AsNoTracking().Where(o => o.Environment == environment).ToListAsync(cancellationToken);
        return rows.GroupBy(o => o.Domain, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<DomainObservation>)[.. g.OrderBy(o => o.Since)], StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Since when each domain has pointed at the manager without a break, for those that do now.</summary>
    public static IReadOnlyDictionary<string, DateTimeOffset> MappedSince(IReadOnlyDictionary<string, IReadOnlyList<DomainObservation>> history)
    {
        var mapped = new Dictionary<string, DateTimeOffset>(StringComparer.OrdinalIgnoreCase);
        foreach (var (domain, rows) in history)
        {
            var run = rows.Reverse().TakeWhile(r => r.PointsAtManager).LastOrDefault();
            if (run is not null)
            {
                mapped[domain] = run.Since;
            }
        }

        return mapped;
    }

    /// <summary>Forgets an environment's observations (when it is unregistered).</summary>
    public async Task ForgetAsync(string environment, CancellationToken cancellationToken)
    {
        await using var db = store.CreateContext();
        db.DomainObservations.RemoveRange(db.DomainObservations.Where(o => o.Environment == environment));
        await db.SaveChangesAsync(cancellationToken);
    }
}
