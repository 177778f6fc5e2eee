using System.Collections;

namespace Ward.Model.Spec;

/// <summary>
/// An immutable string-keyed map that keeps the file's order and compares by content, ignoring order
/// (labels, driver options and environment variables are sets of pairs, not sequences).
/// </summary>
public sealed class ValueMap<TValue> : IReadOnlyDictionary<string, TValue>, IEquatable<ValueMap<TValue>>
{
    // Up to this many pairs a scan beats hashing, and saves a dictionary per map (a service holds several maps).
    private const int ScanLimit = 8;

    private readonly KeyValuePair<string, TValue>[] _pairs;

    // Null for a small map without repeated keys; otherwise the last value of each key, as a lookup expects.
    private readonly Dictionary<string, TValue>? _index;

    public ValueMap(IEnumerable<KeyValuePair<string, TValue>> pairs)
    {
        _pairs = [.. pairs];
        if (_pairs.Length <= ScanLimit && !HasRepeatedKey(_pairs))
        {
            return;
        }

        _index = new Dictionary<string, TValue>(_pairs.Length, StringComparer.Ordinal);
        foreach (var pair in _pairs)
        {
            _index[pair.Key] = pair.Value;
        }
    }

    public static ValueMap<TValue> Empty { get; } = new([]);

    public int Count => _index?.Count ?? _pairs.Length;

    public IEnumerable<string> Keys => _pairs.Select(p => p.Key);

    public IEnumerable<TValue> Values => _pairs.Select(p => p.Value);

    public TValue this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"the map has no key '{key}'");

    // Each key once, with the value a lookup gives.
    private IEnumerable<KeyValuePair<string, TValue>> DistinctPairs => (IEnumerable<KeyValuePair<string, TValue>>?)_index ?? _pairs;

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, out TValue value)
    {
        if (_index is not null)
        {
            return _index.TryGetValue(key, out value!);
        }

        foreach (var pair in _pairs)
        {
            if (string.Equals(pair.Key, key, StringComparison.Ordinal))
            {
                value = pair.Value;
                return true;
            }
        }

        value = default!;
        return false;
    }

    private static bool HasRepeatedKey(KeyValuePair<string, TValue>[] pairs)
    {
        for (var i = 1; i < pairs.Length; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (string.Equals(pairs[i].Key, pairs[j].Key, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    public bool Equals(ValueMap<TValue>? other)
    {
        if (other is null || other.Count != Count)
        {
            return false;
        }

        foreach (var (key, value) in DistinctPairs)
        {
            if (!other.TryGetValue(key, out var theirs) || !EqualityComparer<TValue>.Default.Equals(value, theirs))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is ValueMap<TValue> other && Equals(other);

    public override int GetHashCode()
    {
        // Order-independent, to agree with Equals.
        var hash = 0;
        foreach (var (key, value) in DistinctPairs)
        {
            hash ^= HashCode.Combine(key, value);
        }

        return hash;
    }

    public ArrayEnumerator<KeyValuePair<string, TValue>> GetEnumerator() => new(_pairs);

    IEnumerator<KeyValuePair<string, TValue>> IEnumerable<KeyValuePair<string, TValue>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
