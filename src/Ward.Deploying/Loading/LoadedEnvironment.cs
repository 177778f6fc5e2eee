using Ward.Engine.Desired;
using Ward.Engine.Planning;
using Ward.Engine.Ports;
using Ward.Model.Catalog;
using Ward.Model.Reading;
using Ward.Model.Spec;
using Ward.Rules;

namespace Ward.Deploying.Loading;

/// <summary>What the file asks of the swarm: its objects as Engine API bodies, and its nodes' labels and availability.</summary>
public sealed record DesiredState(IReadOnlyList<DesiredObject> Objects, IReadOnlyList<DesiredNode> Nodes)
{
    /// <summary>The images the services run, as written in the file (familiar form).</summary>
    public IReadOnlyList<string> Images { get; } = [.. Objects
        .Where(o => o.Kind == ObjectKind.Service)
        .Select(o => o.Spec["TaskTemplate"]?["ContainerSpec"]?["Image"]?.GetValue<string>())
        .OfType<string>()
        .Where(i => i.Length > 0)
        .Distinct(StringComparer.Ordinal)];
}

/// <summary>An environment file read and checked, ready to plan; converting it to Swarm objects is one call away.</summary>
public sealed class LoadedEnvironment
{
    private readonly LoadOptions _options;
    private readonly DateTimeOffset _now;
    private readonly Lazy<CheckResult> _check;

    internal LoadedEnvironment(EnvironmentSource source, ReadResult read, EnvironmentSpec spec, LoadOptions options, DateTimeOffset now)
    {
        Source = source;
        Read = read;
        Spec = spec;
        _options = options;
        _now = now;
        _check = new Lazy<CheckResult>(() => CheckAs(spec.Kind, useWaivers: true));
    }

    public EnvironmentSource Source { get; }

    public ReadResult Read { get; }

    public EnvironmentSpec Spec { get; }

    public string Name => Spec.Name;

    /// <summary>The size and tier catalog the file was read with.</summary>
    public SizeCatalog Catalog => _options.Catalog;

    /// <summary>The readiness check as the file's kind asks, with its waivers: the one the readiness gate judges.</summary>
    public CheckResult Check => _check.Value;

    /// <summary>The same environment checked with facts from the live cluster and DNS (gathered from its spec).</summary>
    public LoadedEnvironment WithLive(ILiveFacts live) => new(Source, Read, Spec, _options with { Live = live }, _now);

    /// <summary>The readiness check under another profile, or without waivers (the findings views offer both).</summary>
    public CheckResult CheckAs(EnvironmentKind profile, bool useWaivers)
    {
        var context = new RuleContext(Spec, _options.Catalog, profile, _now)
        {
            ReaderDiagnostics = Read.Diagnostics,
            Files = new DirectorySideFiles(Source.Directory),
            Live = _options.Live,
        };
        return Checker.Run(context, useWaivers, Read.Locate);
    }

    private StackConverter Converter() => new(
        Source.Directory,
        name => _options.Process.GetValueOrDefault(name),
        path => File.Exists(path) ? File.ReadAllBytes(path) : null,
        _options.ManagedContent,
        _options.VersionOf);

    /// <summary>
    /// The values of the environment's secrets that Ward knows: each file a secret names (relative to the environment
    /// file) and each value the host keeps (the server's vault). External secrets and missing files are left out.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, byte[]>> SecretValues()
    {
        var converter = Converter();
        var values = new List<KeyValuePair<string, byte[]>>();
        foreach (var secret in Spec.Secrets.Where(s => !s.External))
        {
            if (converter.ContentOf(secret, ObjectKind.Secret) is { } content)
            {
                values.Add(new(secret.Key, content));
            }
        }

        return values;
    }

    /// <summary>The Swarm objects and node settings the file asks for (with the databases Ward hosts and the load balancer).</summary>
    /// <exception cref="DesiredStateException">The file cannot be deployed as it is (a missing secret file, ...).</exception>
    public DesiredState ToDesired()
    {
        var converter = Converter();
        var nodes = Spec.Nodes.Select(n => new DesiredNode(
            n.Name,
            n.Address,
            n.Labels,
            n.Availability.ToString().ToLowerInvariant(),
            n.Role.ToString().ToLowerInvariant())).ToList();
        var objects = Databases.DatabasePlanner.WithDatabases(Spec, _options.Catalog, converter.Convert(Spec));
        return new DesiredState(Balancing.RoutePlanner.WithLoadBalancer(Spec, objects), nodes);
    }
}
