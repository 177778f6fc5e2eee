using System.Text.Json;

namespace Ward.Rules.Tests;

/// <summary>
/// A hand-written stand-in for a connected cluster and DNS: image sizes and A records from a table. Samples give
/// one in a <c>live.json</c> next to them: <c>{"images": {"image:tag": bytes}, "dns": {"domain": ["ip"]}}</c>.
/// </summary>
internal sealed class FakeLiveFacts : ILiveFacts
{
    public Dictionary<string, long> Images { get; init; } = new(StringComparer.Ordinal);

    public Dictionary<string, List<string>> Dns { get; init; } = new(StringComparer.OrdinalIgnoreCase);

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

        return facts;
    }
}
