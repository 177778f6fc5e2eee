namespace Ward.Model.Yaml;

/// <summary>
/// Gives one string per distinct short text: a large environment file repeats the same keys and values (image,
/// environment, replicas, "true", "10s") thousands of times, and each repeat would otherwise be a string of its own
/// for the garbage collector to trace. Long texts are rarely repeated and are not pooled.
/// </summary>
internal sealed class StringPool
{
    private const int MaxPooledLength = 32;

    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);

    public string Get(ReadOnlySpan<char> text)
    {
        if (text.Length > MaxPooledLength)
        {
            return text.ToString();
        }

        var lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
        if (!lookup.TryGetValue(text, out var pooled))
        {
            pooled = text.ToString();
            _strings.Add(pooled, pooled);
        }

        return pooled;
    }
}
