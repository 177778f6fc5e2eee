using Ward.Deploying.Databases;
using Ward.Engine.Ports;
using Ward.Model.Spec;
using Ward.Rules;

namespace Ward.Deploying.Live;

/// <summary>
/// Facts about an environment that only a connected cluster and DNS can give, gathered once before a check (rules are
/// pure functions: they read this snapshot, never the network): image sizes for IMG-002, A records for DNS-001.
/// </summary>
public sealed class LiveFacts : ILiveFacts
{
    private readonly Dictionary<string, long> _imageSizes;
    private readonly Dictionary<string, IReadOnlyList<string>> _records;
    private IReadOnlyDictionary<string, DateTimeOffset> _mappedSince = new Dictionary<string, DateTimeOffset>();
    private IReadOnlyDictionary<string, DomainCertificate> _certificates = new Dictionary<string, DomainCertificate>();
    private IReadOnlyDictionary<string, IReadOnlyList<ObservedRehearsal>>? _rehearsals;

    private LiveFacts(Dictionary<string, long> imageSizes, Dictionary<string, IReadOnlyList<string>> records, IReadOnlyList<string> unanswered, string resolver)
    {
        _imageSizes = imageSizes;
        _records = records;
        Unanswered = unanswered;
        Resolver = resolver;
    }

    /// <summary>These facts and since when Ward has seen each domain point at the manager (the server's observations).</summary>
    public LiveFacts WithMappedSince(IReadOnlyDictionary<string, DateTimeOffset> mappedSince) =>
        new(_imageSizes, _records, Unanswered, Resolver) { _mappedSince = mappedSince, _certificates = _certificates, _rehearsals = _rehearsals };

    /// <summary>These facts and the certificates the load balancer holds for the domains.</summary>
    public LiveFacts WithCertificates(IReadOnlyDictionary<string, DomainCertificate> certificates) =>
        new(_imageSizes, _records, Unanswered, Resolver) { _mappedSince = _mappedSince, _certificates = certificates, _rehearsals = _rehearsals };

    /// <summary>What could not be found out (an image no node holds, a domain the resolver did not answer for).</summary>
    public IReadOnlyList<string> Unanswered { get; }

    public string Resolver { get; }

    /// <summary>What was looked at, for people: "4 image sizes from the cluster (largest ...), 1 domain resolved through ...".</summary>
    public string Summary
    {
        get
        {
            var largest = _imageSizes.Count == 0 ? "" : $" (largest {_imageSizes.MaxBy(i => i.Value).Key}, {_imageSizes.Values.Max() / 1_000_000} MB)";
            var summary = $"{_imageSizes.Count} image size(s) from the cluster{largest}, {_records.Count} domain(s) resolved through {Resolver}";
            return Unanswered.Count == 0 ? summary : $"{summary}; unknown: {string.Join("; ", Unanswered)}";
        }
    }

    /// <summary>Image sizes and A records, and, when the file plans a switchover, the migration rehearsals the swarm records (SWO-001).</summary>
    public static async Task<LiveFacts> GatherAsync(EnvironmentSpec spec, IImageSource images, IDomainResolver resolver, Rehearsals rehearsals, CancellationToken cancellationToken)
    {
        var unanswered = new List<string>();
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var image in spec.Services.Select(s => s.Image).OfType<string>().Where(i => i.Length > 0).Distinct(StringComparer.Ordinal))
        {
            if (await images.SizeAsync(image, cancellationToken) is { } size)
            {
                sizes[image] = size;
            }
            else
            {
                unanswered.Add($"the size of {image} (no node holds it)");
            }
        }

        var lookups = spec.Domains.Select(d => d.Name).Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(async domain => (Domain: domain, Records: await resolver.ResolveAAsync(domain, cancellationToken)))
            .ToList();
        var records = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (domain, found) in await Task.WhenAll(lookups))
        {
            if (found is null)
            {
                unanswered.Add($"the A records of {domain} ({resolver.Description} did not answer)");
            }
            else
            {
                records[domain] = found;
            }
        }

        return new LiveFacts(sizes, records, unanswered, resolver.Description) { _rehearsals = await RehearsalsAsync(spec, rehearsals, cancellationToken) };
    }

    /// <summary>Each hosted database's recorded rehearsals, when the file plans a switchover (else nothing asks for them).</summary>
    private static async Task<IReadOnlyDictionary<string, IReadOnlyList<ObservedRehearsal>>?> RehearsalsAsync(EnvironmentSpec spec, Rehearsals rehearsals, CancellationToken cancellationToken)
    {
        if (spec.Switchover is null || !spec.Databases.Any(d => d.IsHosted))
        {
            return null;
        }

        var recorded = await rehearsals.ListAsync(spec.Name, null, cancellationToken);
        return spec.Databases.Where(d => d.IsHosted).ToDictionary(
            d => d.Name,
            d => (IReadOnlyList<ObservedRehearsal>)[.. recorded.Where(r => r.Database == d.Name).Select(r => new ObservedRehearsal(r.At, r.Source, r.Verified, r.Difference ?? r.Failure, r.SourceBytes, r.TotalSeconds))],
            StringComparer.Ordinal);
    }

    public long? ImageSize(string image) => _imageSizes.TryGetValue(image, out var size) ? size : null;

    public IReadOnlyList<string>? ResolveA(string domain) => _records.GetValueOrDefault(domain);

    public DateTimeOffset? MappedSince(string domain) => _mappedSince.TryGetValue(domain, out var since) ? since : null;

    public DomainCertificate? Certificate(string domain) => _certificates.GetValueOrDefault(domain);

    public IReadOnlyList<ObservedRehearsal>? Rehearsals(string database) => _rehearsals?.GetValueOrDefault(database);
}
