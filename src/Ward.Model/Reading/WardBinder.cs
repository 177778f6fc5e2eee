using System.Globalization;
using Ward.Model.Catalog;
using Ward.Model.Compose;
using Ward.Model.Compose.Schema;
using Ward.Model.Diagnostics;
using Ward.Model.Spec;
using Ward.Model.Yaml;

namespace Ward.Model.Reading;

/// <summary>
/// Binds the <c>x-ward</c> section and checks it against the catalog and the rest of the file: sizes and tiers
/// must exist, node names be unique, and domains name services that exist (databases: <see cref="DatabaseBinder"/>).
/// </summary>
internal sealed class WardBinder(DiagnosticBag diagnostics, SizeCatalog catalog)
{
    private static readonly ModelPath Section = ModelPath.Root.Child("x-ward");

    public (string? Name, EnvironmentKind? Kind) Environment(YNode? section)
    {
        var environment = section.Get("environment");
        EnvironmentKind? kind = environment.Get("kind").Text() switch
        {
            "production" => EnvironmentKind.Production,
            "staging" => EnvironmentKind.Staging,
            _ => null,
        };
        return (environment.Get("name").Text(), kind);
    }

    public ValueList<NodeSpec> Nodes(YNode? section)
    {
        var nodes = new List<NodeSpec>();
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var items = section.Get("nodes").Items();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var path = Section.Child("nodes").Index(i);
            var name = item.Get("name").Text() ?? "";
            var size = item.Get("size").Text() ?? "";
            // A missing name or size is the schema's to report (both are required); only written values are checked here.
            if (item.Get("name") is YScalar nameNode && !names.TryAdd(name, i))
            {
                diagnostics.Error(DiagnosticCodes.Ward, path.Child("name").ToString(), $"the node name '{name}' is already used by x-ward.nodes[{names[name]}]; node names must be unique", nameNode.Location);
            }

            if (item.Get("size") is YScalar && catalog.FindSize(size) is null)
            {
                diagnostics.Error(DiagnosticCodes.Ward, path.Child("size").ToString(), $"size '{size}' is not one of {catalog.SizeNames}", item.Get("size")?.Location ?? item.Location);
            }

            nodes.Add(new NodeSpec
            {
                Name = name,
                Role = item.Get("role").Text() == "manager" ? NodeRole.Manager : NodeRole.Worker,
                Size = size,
                Address = item.Get("address").Text(),
                Availability = item.Get("availability").Text() switch
                {
                    "pause" => NodeAvailability.Pause,
                    "drain" => NodeAvailability.Drain,
                    _ => NodeAvailability.Active,
                },
                Labels = item.Get("labels").Labels(),
                Zone = item.Get("zone").Text(),
            });
        }

        return nodes.ToValueList();
    }

    public ValueList<DomainSpec> Domains(YNode? section, IReadOnlySet<string> services)
    {
        var domains = new List<DomainSpec>();
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var items = section.Get("domains").Items();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var path = Section.Child("domains").Index(i);
            // A domain without a service is reported by the schema ('service' is required); only a wrong name is checked here.
            var service = item.Get("service").Text();
            CheckService(service, services, path.Child("service"), item.Get("service"));
            var name = item.Get("name").Text() ?? "";
            if (item.Get("name") is { } nameNode)
            {
                // A domain without a name is reported by the schema ('name' is required).
                CheckHostName(name, path.Child("name"), nameNode, names);
            }

            var redirects = item.Get("redirects").Strings();
            var redirectItems = item.Get("redirects").Items();
            for (var r = 0; r < redirects.Count; r++)
            {
                CheckHostName(redirects[r], path.Child("redirects").Index(r), redirectItems[r], names);
            }

            var prefix = item.Get("path").Text();
            if (prefix is not null && (!prefix.StartsWith('/') || prefix.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '?' or '#' or '*')))
            {
                diagnostics.Error(DiagnosticCodes.Ward, path.Child("path").ToString(), $"path '{prefix}' of {name} is not a path prefix: it starts with '/' and has no spaces, '?', '#' or '*' (e.g. /api)", item.Get("path")?.Location);
            }

            domains.Add(new DomainSpec
            {
                Name = name.ToLowerInvariant(),
                Service = service ?? "",
                Port = item.Get("port").Int(),
                Path = prefix is null or "/" ? null : prefix.TrimEnd('/'),
                Redirects = redirects.Select(r => r.ToLowerInvariant()).ToValueList(),
                Tls = item.Get("tls").Text() switch
                {
                    "acme" => DomainTls.Acme,
                    "internal" => DomainTls.Internal,
                    _ => null,
                },
                MappedAt = Time(item.Get("mapped_at")),
            });
        }

        return domains.ToValueList();
    }

    public LoadBalancerSpec? LoadBalancer(YNode? section)
    {
        var balancer = section.Get("load_balancer");
        if (balancer is not YMapping)
        {
            return null;
        }

        var acme = balancer.Get("acme");
        var directory = acme.Get("directory").Text();
        if (directory is not null && !(Uri.TryCreate(directory, UriKind.Absolute, out var uri) && uri.Scheme == "https"))
        {
            var at = Section.Child("load_balancer").Child("acme").Child("directory");
            diagnostics.Error(DiagnosticCodes.Ward, at.ToString(), $"the ACME directory '{directory}' is not an https:// URL (e.g. https://acme-v02.api.letsencrypt.org/directory)", acme.Get("directory")?.Location);
        }

        return new LoadBalancerSpec
        {
            AcmeDirectory = directory,
            AcmeEmail = acme.Get("email").Text(),
            AcmeCaRoot = acme.Get("ca_root").Text(),
            Hsts = balancer.Get("hsts").Bool(),
        };
    }

    /// <summary>
    /// A domain or redirect must be a host name (RFC 1123: dot-separated labels of letters, digits and hyphens, not
    /// starting or ending with a hyphen, at most 253 characters) and appear once in the file: one name cannot be routed
    /// two ways.
    /// </summary>
    private void CheckHostName(string name, ModelPath path, YNode? node, Dictionary<string, string> seen)
    {
        if (!IsHostName(name))
        {
            diagnostics.Error(DiagnosticCodes.Ward, path.ToString(), $"'{name}' is not a host name: dot-separated labels of letters, digits and hyphens (not at either end of a label), such as app.example.org", node?.Location);
            return;
        }

        if (seen.TryGetValue(name, out var first))
        {
            diagnostics.Error(DiagnosticCodes.Ward, path.ToString(), $"the domain {name} is routed twice (also at {first}): each name may appear once among the domains and their redirects", node?.Location);
            return;
        }

        seen[name] = path.ToString();
    }

    public static bool IsHostName(string name)
    {
        if (name.Length is 0 or > 253 || name.EndsWith('.'))
        {
            return false;
        }

        var labels = name.Split('.');
        return labels.Length >= 2 && labels.All(label =>
            label.Length is > 0 and <= 63 && label[0] != '-' && label[^1] != '-' && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'));
    }

    public SwitchoverSpec? Switchover(YNode? section)
    {
        var switchover = section.Get("switchover");
        if (switchover is not YMapping)
        {
            return null;
        }

        var window = switchover.Get("window");
        var rehearsal = switchover.Get("restore_rehearsal");
        return new SwitchoverSpec
        {
            Window = Time(window.Get("start")) is { } start && Time(window.Get("end")) is { } end ? new TimeWindow(start, end) : null,
            RestoreRehearsal = Time(rehearsal.Get("at")) is { } at ? new RestoreRehearsal(at, rehearsal.Get("passed").Bool() ?? false) : null,
            RollbackPlan = switchover.Get("rollback_plan").Text(),
            SwarmBackupAt = Time(switchover.Get("swarm_backup_at")),
        };
    }

    public SwarmAttestation? Swarm(YNode? section)
    {
        var swarm = section.Get("swarm");
        return swarm is not YMapping
            ? null
            : new SwarmAttestation
            {
                Autolock = swarm.Get("autolock").Bool(),
                UnlockKeyRotatedAt = Time(swarm.Get("unlock_key_rotated_at")),
                ListenAddr = swarm.Get("listen_addr").Text(),
                DataPathAddr = swarm.Get("data_path_addr").Text(),
                CertExpiry = ServiceBinder.Duration(swarm.Get("cert_expiry")),
                CaRotatedAt = Time(swarm.Get("ca_rotated_at")),
            };
    }

    public ValueList<WaiverSpec> Waivers(YNode? section) => section.Get("waivers").Items()
        .Select((item, i) => new WaiverSpec
        {
            Rule = (item.Get("rule").Text() ?? "").ToUpperInvariant(),
            Target = item.Get("target").Text() ?? "",
            Reason = item.Get("reason").Text() ?? "",
            Expires = item.Get("expires").Text() is { } text && WardFormats.TryParseDate(text, out var date) ? date : null,
            Path = Section.Child("waivers").Index(i).ToString(),
        })
        .ToValueList();

    private void CheckService(string? service, IReadOnlySet<string> services, ModelPath path, YNode? node)
    {
        if (service is not null && !services.Contains(service))
        {
            var known = services.Count == 0 ? "the file has no services" : $"services are {string.Join(", ", services.Order(StringComparer.Ordinal))}";
            diagnostics.Error(DiagnosticCodes.Ward, path.ToString(), $"service '{service}' is not defined in this file ({known})", node?.Location);
        }
    }

    private static DateTimeOffset? Time(YNode? node) =>
        node.Text() is { } text && WardFormats.TryParseDateTime(text, out var value) ? value : null;

    /// <summary>The environment's name when the file gives none: the file name, made into a valid name.</summary>
    public static string NameFromFile(string file)
    {
        var stem = Path.GetFileNameWithoutExtension(file).ToLower(CultureInfo.InvariantCulture);
        var cleaned = new string([.. stem.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]).Trim('-');
        return cleaned.Length == 0 ? "environment" : cleaned.Length > 63 ? cleaned[..63].TrimEnd('-') : cleaned;
    }
}
