using System.Globalization;
using Ward.Model.Catalog;
using Ward.Model.Compose;
using Ward.Model.Compose.Schema;
using Ward.Model.Diagnostics;
using Ward.Model.Placement;
using Ward.Model.Spec;
using Ward.Model.Yaml;

namespace Ward.Model.Reading;

/// <summary>
/// Binds <c>x-ward.databases</c> and refuses, before anything is created, what Ward could not host: an engine it does
/// not run, a placement naming a label no node has, a tier no eligible node can hold, a backup repository that could
/// share the database's node, a repository volume or network the file lacks. Every problem is reported at once, with
/// the value found and the choices.
/// </summary>
internal sealed class DatabaseBinder(DiagnosticBag diagnostics, SizeCatalog catalog, DatabaseBinder.FileFacts file)
{
    private static readonly ModelPath Section = ModelPath.Root.Child("x-ward").Child("databases");

    /// <summary>What the rest of the file declares, which a database may name or must not collide with.</summary>
    internal sealed record FileFacts(IReadOnlyList<ServiceSpec> Services, IReadOnlyList<NodeSpec> Nodes, IReadOnlySet<string> Volumes, IReadOnlySet<string> Networks);

    public ValueList<DatabaseSpec> Bind(YNode? section)
    {
        var databases = new List<DatabaseSpec>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var items = section.Get("databases").Items();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var path = Section.Index(i);
            var name = item.Get("name").Text() ?? "";
            var tier = item.Get("tier").Text() ?? "";
            if (item.Get("name") is YScalar nameNode)
            {
                CheckName(name, names, path.Child("name"), nameNode);
            }

            if (item.Get("tier") is YScalar && catalog.FindTier(tier) is null)
            {
                diagnostics.Error(DiagnosticCodes.Ward, path.Child("tier").ToString(), $"tier '{tier}' is not one of {catalog.TierNames}", item.Get("tier")?.Location ?? item.Location);
            }

            var service = item.Get("service").Text();
            CheckService(service, path.Child("service"), item.Get("service"));
            var external = item.Get("external");
            var database = new DatabaseSpec
            {
                Name = name,
                Engine = item.Get("engine").Text() == "mysql" ? DatabaseEngine.Mysql : DatabaseEngine.Postgres,
                Version = item.Get("version") is YScalar version && !version.IsNull ? version.Value : null,
                Tier = tier,
                Placement = item.Get("placement").Strings(),
                Service = service,
                External = external.Get("host").Text() is { } host ? new ExternalDatabase(host, external.Get("port").Int() ?? 5432) : null,
                Networks = item.Get("networks").Strings(),
                Backups = Backups(item.Get("backups"), path.Child("backups")),
            };
            Check(database, item, path);
            databases.Add(database);
        }

        return databases.ToValueList();
    }

    private void CheckName(string name, HashSet<string> names, ModelPath path, YScalar node)
    {
        if (!names.Add(name))
        {
            diagnostics.Error(DiagnosticCodes.Ward, path.ToString(), $"the database name '{name}' is used twice; database names must be unique", node.Location);
        }
        else if (!DatabaseSpec.IsValidName(name))
        {
            diagnostics.Error(DiagnosticCodes.Ward, path.ToString(), $"the database name '{name}' is not a name Ward can give the database's objects: lower-case letters, digits and hyphens, starting with a letter, at most 30 characters (e.g. records)", node.Location);
        }
    }

    private void CheckService(string? service, ModelPath path, YNode? node)
    {
        if (service is not null && file.Services.All(s => s.Name != service))
        {
            var known = file.Services.Count == 0 ? "the file has no services" : $"services are {string.Join(", ", file.Services.Select(s => s.Name).Order(StringComparer.Ordinal))}";
            diagnostics.Error(DiagnosticCodes.Ward, path.ToString(), $"service '{service}' is not defined in this file ({known})", node?.Location);
        }
    }

    private BackupSpec? Backups(YNode? node, ModelPath path)
    {
        if (node is not YMapping)
        {
            return null;
        }

        var repository = node.Get("repository");
        var fullAt = new TimeOnly(1, 0);
        if (node.Get("full_at").Text() is { } text && !TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out fullAt))
        {
            diagnostics.Error(DiagnosticCodes.Ward, path.Child("full_at").ToString(), $"full_at '{text}' is not a time of day as HH:MM (UTC), e.g. 01:00", node.Get("full_at")?.Location);
        }

        var every = ServiceBinder.Duration(node.Get("incremental_every")) ?? TimeSpan.FromHours(1);
        if (every < TimeSpan.FromMinutes(5) || every > TimeSpan.FromDays(1) || every.Ticks % TimeSpan.TicksPerMinute != 0)
        {
            diagnostics.Error(DiagnosticCodes.Ward, path.Child("incremental_every").ToString(), $"incremental_every {GoDuration.Format(every)} is not a whole number of minutes from 5m to 24h (e.g. 1h, 30m)", node.Get("incremental_every")?.Location);
        }

        var retention = node.Get("retention");
        return new BackupSpec
        {
            Placement = repository.Get("placement").Strings(),
            Path = repository.Get("path").Text(),
            Volume = repository.Get("volume").Text(),
            FullAt = fullAt,
            IncrementalEvery = every,
            KeepHourly = retention.Get("hourly").Int() ?? 24,
            KeepDaily = retention.Get("daily").Int() ?? 7,
            KeepWeekly = retention.Get("weekly").Int() ?? 4,
        };
    }

    private void Check(DatabaseSpec database, YNode item, ModelPath path)
    {
        if (!database.IsHosted)
        {
            if (database.Backups is not null)
            {
                diagnostics.Error(DiagnosticCodes.Ward, path.Child("backups").ToString(), $"database {database.Name} is external: Ward backs up only the databases it hosts (remove backups, or external to let Ward host it)", item.Get("backups")?.Location);
            }

            return;
        }

        if (database.Engine == DatabaseEngine.Mysql)
        {
            diagnostics.Error(DiagnosticCodes.Ward, path.Child("engine").ToString(), $"engine 'mysql' is not one Ward hosts: Ward runs postgres databases on the cluster (engine: postgres), and connects to others given as external: {{ host, port }}", item.Get("engine")?.Location ?? item.Location);
        }

        if (database.Service is null)
        {
            CheckAddedNames(database, item, path);
        }

        var placement = PlacementOf(database, item.Get("placement"), path.Child("placement"));
        CheckTier(database, placement, item, path);
        if (database.Backups is { } backups)
        {
            CheckRepository(database, backups, placement, item.Get("backups"), path.Child("backups"));
        }
    }

    /// <summary>A database Ward adds takes the database's name as its service: it must not be taken, and its networks must exist.</summary>
    private void CheckAddedNames(DatabaseSpec database, YNode item, ModelPath path)
    {
        if (file.Services.Any(s => s.Name == database.Name))
        {
            diagnostics.Error(DiagnosticCodes.Ward, path.Child("name").ToString(), $"database {database.Name} has no service: Ward adds one named {database.Name}, but the file has a service of that name (give it as service: {database.Name} to let Ward complete it, or rename the database)", item.Get("name")?.Location);
        }

        var networks = item.Get("networks").Items();
        for (var n = 0; n < database.Networks.Count; n++)
        {
            if (!file.Networks.Contains(database.Networks[n]))
            {
                var known = file.Networks.Count == 0 ? "the file declares no networks" : $"networks are {string.Join(", ", file.Networks.Order(StringComparer.Ordinal))}";
                diagnostics.Error(DiagnosticCodes.Ward, path.Child("networks").Index(n).ToString(), $"network '{database.Networks[n]}' is not declared in this file ({known})", networks[n].Location);
            }
        }
    }

    /// <summary>The database's constraints (its own and its service's), each checked; the labels it names must be some node's.</summary>
    private List<Constraint> PlacementOf(DatabaseSpec database, YNode? node, ModelPath path)
    {
        var constraints = CheckConstraints(database.Placement, node, path);
        if (database.Service is { } name && file.Services.FirstOrDefault(s => s.Name == name) is { } service)
        {
            constraints.AddRange(Eligibility.Parse(service.Deploy.Placement.Constraints));
        }

        return constraints;
    }

    private List<Constraint> CheckConstraints(IReadOnlyList<string> texts, YNode? node, ModelPath path)
    {
        var constraints = new List<Constraint>();
        var items = node.Items();
        for (var c = 0; c < texts.Count; c++)
        {
            var location = c < items.Count ? items[c].Location : node?.Location;
            if (!Constraint.TryParse(texts[c], out var constraint, out var error))
            {
                diagnostics.Error(DiagnosticCodes.Ward, path.Index(c).ToString(), $"placement {error}", location);
                continue;
            }

            constraints.Add(constraint!);
            if (file.Nodes.Count > 0 && constraint!.Attribute.StartsWith("node.labels.", StringComparison.Ordinal))
            {
                var label = constraint.Attribute["node.labels.".Length..];
                if (!file.Nodes.Any(n => n.Labels.ContainsKey(label)))
                {
                    var labels = file.Nodes.SelectMany(n => n.Labels.Select(l => l.Key)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                    var known = labels.Count == 0 ? "the nodes have no labels" : $"the nodes' labels are {string.Join(", ", labels)}";
                    diagnostics.Error(DiagnosticCodes.Ward, path.Index(c).ToString(), $"placement '{texts[c]}' names the label '{label}', which no node in x-ward.nodes has ({known})", location);
                }
            }
        }

        return constraints;
    }

    /// <summary>A tier no eligible node can hold is refused here, naming the nodes and the tiers that would fit.</summary>
    private void CheckTier(DatabaseSpec database, IReadOnlyList<Constraint> placement, YNode item, ModelPath path)
    {
        if (file.Nodes.Count == 0 || catalog.FindTier(database.Tier) is not { } tier)
        {
            return;
        }

        var eligible = Eligibility.EligibleNodes(file.Nodes, placement);
        var sizing = new DatabaseSizing(tier);
        if (eligible.Any(n => catalog.FindSize(n.Size) is { } size && sizing.FitsOn(size)))
        {
            return;
        }

        string message;
        if (eligible.Count == 0)
        {
            var written = database.Placement.Concat(file.Services.FirstOrDefault(s => s.Name == database.Service)?.Deploy.Placement.Constraints.AsEnumerable() ?? []);
            message = $"no node of x-ward.nodes may run database {database.Name}: none satisfies its placement ({string.Join(", ", written.Distinct(StringComparer.Ordinal))})";
        }
        else
        {
            var sizes = eligible.Select(n => catalog.FindSize(n.Size)).OfType<NodeSize>().ToList();
            var fitting = catalog.Tiers.Where(t => t.Family == tier.Family && sizes.Any(s => new DatabaseSizing(t).FitsOn(s))).Select(t => t.Name).ToList();
            var choices = fitting.Count > 0 ? $"tiers that fit: {string.Join(", ", fitting)}" : $"no {tier.Family switch { TierFamily.Basic => "basic", TierFamily.MemoryOptimized => "memory-optimized", _ => "general-purpose" }} tier fits";
            message = $"tier {sizing.Describe()} needs a node with {sizing.ReservedCpus:0.#} vCPU and {tier.MemoryGb:0.#} GB to reserve, and no node database {database.Name} may run on has them ({string.Join(", ", eligible.Select(n => $"{n.Name}: {n.Size}"))}); {choices}, or give it a larger node";
        }

        diagnostics.Error(DiagnosticCodes.Ward, path.Child("tier").ToString(), message, item.Get("tier")?.Location ?? item.Location);
    }

    /// <summary>The repository must have a placement of its own, none of whose nodes may run the database, and name what exists.</summary>
    private void CheckRepository(DatabaseSpec database, BackupSpec backups, IReadOnlyList<Constraint> placement, YNode? node, ModelPath path)
    {
        var repositoryPath = path.Child("repository");
        var repository = node.Get("repository");
        if (backups.Placement.Count == 0)
        {
            diagnostics.Error(DiagnosticCodes.Ward, repositoryPath.Child("placement").ToString(), $"the backups of {database.Name} need a placement for their repository: a node other than the database's, e.g. [ \"node.labels.backups == true\" ]", repository?.Location ?? node?.Location);
            return;
        }

        var constraints = CheckConstraints(backups.Placement, repository.Get("placement"), repositoryPath.Child("placement"));
        if (backups.Path is not null && backups.Volume is not null)
        {
            diagnostics.Error(DiagnosticCodes.Ward, repositoryPath.ToString(), "the repository is either a host folder (path) or a volume of the file (volume), not both", repository?.Location);
        }

        if (backups.Path is { } folder && !folder.StartsWith('/'))
        {
            diagnostics.Error(DiagnosticCodes.Ward, repositoryPath.Child("path").ToString(), $"path '{folder}' is not an absolute folder on the repository's node (e.g. /srv/backups)", repository.Get("path")?.Location);
        }

        if (backups.Volume is { } volume && !file.Volumes.Contains(volume))
        {
            var known = file.Volumes.Count == 0 ? "the file declares no volumes" : $"volumes are {string.Join(", ", file.Volumes.Order(StringComparer.Ordinal))}";
            diagnostics.Error(DiagnosticCodes.Ward, repositoryPath.Child("volume").ToString(), $"volume '{volume}' is not declared in this file ({known})", repository.Get("volume")?.Location);
        }

        if (file.Nodes.Count == 0)
        {
            return;
        }

        var shared = Eligibility.EligibleNodes(file.Nodes, constraints).Intersect(Eligibility.EligibleNodes(file.Nodes, placement)).Select(n => n.Name).ToList();
        if (shared.Count > 0)
        {
            diagnostics.Error(DiagnosticCodes.Ward, repositoryPath.Child("placement").ToString(), $"the repository of {database.Name} could land on {string.Join(", ", shared)}, which may also run the database: a lost node would take the backups with it; place it by a label the database's nodes do not have", repository.Get("placement")?.Location);
        }
        else if (Eligibility.EligibleNodes(file.Nodes, constraints).Count == 0)
        {
            diagnostics.Error(DiagnosticCodes.Ward, repositoryPath.Child("placement").ToString(), $"no node of x-ward.nodes satisfies the repository's placement ({string.Join(", ", backups.Placement)})", repository.Get("placement")?.Location);
        }
    }
}
