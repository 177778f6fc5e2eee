using System.Text.Json;

namespace Ward.Rules.Tests;

/// <summary>
/// A hand-written stand-in for a connected cluster and DNS: image sizes and A records from a table. Samples give
/// one in a <c>live.json</c> next to them: <c>{"images": {"image:tag": bytes}, "dns": {"domain": ["ip"]}, "mapped":
/// {"domain": "since"}, "certificates": {"domain": {"issuer", "notAfter", "acme", "lastError"}}, "rehearsals": {"database":
/// [{"at", "source", "verified", "problem", "sourceBytes", "totalSeconds"}]}}</c>. With "rehearsals", a database it
/// does not name has none recorded; without it, Ward did not look.
/// </summary>
internal sealed class FakeLiveFacts : ILiveFacts
{
    public Dictionary<string, long> Images { get; init; } = new(StringComparer.Ordinal);

    public Dictionary<string, List<string>> Dns { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, DateTimeOffset> Mapped { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, DomainCertificate> Certificates { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The recorded rehearsals per database; null when this cluster was not asked for them.</summary>
    public Dictionary<string, List<ObservedRehearsal>>? RecordedRehearsals { get; set; }

    public IReadOnlyList<ObservedRehearsal>? Rehearsals(string database) =>
        RecordedRehearsals is null ? null : RecordedRehearsals.GetValueOrDefault(database) ?? [];

    public DateTimeOffset? MappedSince(string domain) => Mapped.TryGetValue(domain, out var since) ? since : null;

    public DomainCertificate? Certificate(string domain) => Certificates.GetValueOrDefault(domain);

    public long? ImageSize(string image) => Images.TryGetValue(image, out var size) ? size : null;

    public IReadOnlyList<string>? ResolveA(string domain) => Dns.TryGetValue(domain, out var records) ? records : null;

    public static FakeLiveFacts Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var facts = new FakeLiveFacts();
        if (document.RootElement.TryGetProperty("images", out var images))
        {
            foreach (var image in images.EnumerateObject())
            {
                facts.Images[image.Name] = image.Value.GetInt64();
            }
        }

        if (document.RootElement.TryGetProperty("dns", out var dns))
        {
            foreach (var domain in dns.EnumerateObject())
            {
                facts.Dns[domain.Name] = [.. domain.Value.EnumerateArray().Select(a => a.GetString()!)];
            }
        }

        if (document.RootElement.TryGetProperty("mapped", out var mapped))
        {
            foreach (var domain in mapped.EnumerateObject())
            {
                facts.Mapped[domain.Name] = domain.Value.GetDateTimeOffset();
            }
        }

        if (document.RootElement.TryGetProperty("certificates", out var certificates))
        {
            foreach (var domain in certificates.EnumerateObject())
            {
                var value = domain.Value;
                facts.Certificates[domain.Name] = new DomainCertificate(
                    value.GetProperty("issuer").GetString()!,
                    value.GetProperty("notAfter").GetDateTimeOffset(),
                    value.GetProperty("acme").GetBoolean(),
                    value.TryGetProperty("lastError", out var error) ? error.GetString() : null);
            }
        }

        if (document.RootElement.TryGetProperty("rehearsals", out var rehearsals))
        {
            facts.RecordedRehearsals = rehearsals.EnumerateObject().ToDictionary(
                database => database.Name,
                database => database.Value.Deserialize<List<ObservedRehearsal>>(JsonSerializerOptions.Web)!,
                StringComparer.Ordinal);
        }

        return facts;
    }
}
