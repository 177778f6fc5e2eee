using Ward.Engine.Databases;
using Ward.Engine.Desired;
using Ward.Engine.Ports;
using Ward.Model.Catalog;
using Ward.Model.Spec;

namespace Ward.Deploying.Databases;

/// <summary>
/// What the file's databases ask of the swarm, added to the file's own objects as the load balancer is: for each
/// database Ward hosts, its service (the file's service named by <c>service:</c>, completed; else one Ward adds), the
/// network it shares with its repository and jobs, its keys, and, with backups, its repository's service on a node of
/// its own. A database Ward does not host (<c>external:</c>) adds nothing.
/// </summary>
public static class DatabasePlanner
{
    /// <summary>The longest service name Swarm takes (a DNS label).</summary>
    private const int MaxServiceName = 63;

    /// <summary>The databases Ward hosts, each with what its tier means.</summary>
    public static IReadOnlyList<DatabaseDesign> Designs(EnvironmentSpec spec, SizeCatalog catalog) =>
        [.. spec.Databases
            .Where(d => d.IsHosted && d.Engine == DatabaseEngine.Postgres && catalog.FindTier(d.Tier) is not null)
            .Select(d => new DatabaseDesign(spec.Name, d, new DatabaseSizing(catalog.FindTier(d.Tier)!)))];

    /// <exception cref="DesiredStateException">A name Ward would give is longer than Swarm takes.</exception>
    public static IReadOnlyList<DesiredObject> WithDatabases(EnvironmentSpec spec, SizeCatalog catalog, IReadOnlyList<DesiredObject> objects)
    {
        var designs = Designs(spec, catalog);
        if (designs.Count == 0)
        {
            return objects;
        }

        var result = objects.ToList();
        var fileNetworks = objects.Where(o => o.Kind == ObjectKind.Network).Select(o => o.Name).ToList();
        foreach (var design in designs)
        {
            CheckNames(design);
            result.Add(DatabaseServices.Network(spec.Name, design.Name));
            if (design.Database.Service is { } key)
            {
                var name = StackNames.Scoped(spec.Name, key);
                var index = result.FindIndex(o => o.Kind == ObjectKind.Service && o.Name == name);
                result[index] = result[index] with { Spec = DatabaseServices.Complete(result[index].Spec, design) };
            }
            else
            {
                var password = DatabaseNames.PasswordSecret(spec.Name, design.Name);
                result.Add(DatabaseServices.Secret(spec.Name, password, design.Name, DatabaseKeys.Password()));
                result.Add(DatabaseServices.Added(design, NetworksOf(spec, design, fileNetworks), password));
            }

            if (design.Backups is { } backups)
            {
                result.Add(DatabaseServices.Secret(spec.Name, DatabaseNames.TlsSecret(spec.Name, design.Name), design.Name, DatabaseKeys.TlsBundle(design.Name)));
                result.Add(DatabaseServices.Repository(design, backups, Storage(spec, design, backups)));
            }
        }

        return result;
    }

    /// <summary>The networks of a database Ward adds: those the declaration names, else every network of the file's services.</summary>
    private static IReadOnlyList<string> NetworksOf(EnvironmentSpec spec, DatabaseDesign design, IReadOnlyList<string> fileNetworks) =>
        design.Database.Networks.Count == 0
            ? fileNetworks
            : [.. design.Database.Networks.Select(key => spec.Networks.FirstOrDefault(n => n.Key == key)?.Name ?? StackNames.Scoped(spec.Name, key))];

    private static System.Text.Json.Nodes.JsonObject Storage(EnvironmentSpec spec, DatabaseDesign design, BackupSpec backups) =>
        backups.Path is { } folder ? DatabaseServices.RepositoryFolder(folder)
        : backups.Volume is { } volume ? StackConverter.VolumeMount(spec.Name, spec.Volumes.First(v => v.Key == volume), DatabaseNames.RepositoryPath)
        : DatabaseServices.RepositoryVolume(design);

    private static void CheckNames(DatabaseDesign design)
    {
        var longest = DatabaseNames.RepositoryService(design.Environment, design.Name);
        if (longest.Length > MaxServiceName)
        {
            throw new DesiredStateException($"the service of database {design.Name}'s repository would be named {longest} ({longest.Length} characters); Swarm takes at most {MaxServiceName}: shorten the environment's or the database's name");
        }
    }
}
