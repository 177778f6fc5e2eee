using System.Collections;

namespace Ward.Model.Spec;

/// <summary>
/// An immutable string-keyed map that keeps the file's order and compares by content, ignoring order
/// (labels, driver options and environment variables are sets of pairs, not sequences).
/// </summary>
public sealed class ValueMap<TValue> : IReadOnlyDictionary<string, TValue>, IEquatable<ValueMap<TValue>>
{
    private readonly KeyValuePair<string, TValue>[] _pairs;
    private readonly Dictionary<string, TValue> _index;

    public ValueMap(IEnumerable<KeyValuePair<string, TValue>> pairs)
    {
        _pairs = [.. pairs];
        _index = new Dictionary<string, TValue>(_pairs.Length, StringComparer.Ordinal);
        foreach (var pair in _pairs)
        {
            _index[pair.Key] = pair.Value;
        }
    }

    public static ValueMap<TValue> Empty { get; } = new([]);

    public int Count => _index.Count;

    public IEnumerable<string> Keys => _pairs.Select(p => p.Key);

    public IEnumerable<TValue> Values => _pairs.Select(p => p.Value);

    public TValue this[string key] => _index[key];

    public bool ContainsKey(string key) => _index.ContainsKey(key);

    public bool TryGetValue(string key, out TValue value) => _index.TryGetValue(key, out value!);

    public bool Equals(ValueMap<TValue>? other)
    {
        if (other is null || other.Count != Count)
        {
            return false;
        }

        foreach (var (key, value) in _index)
        {
            if (!other._index.TryGetValue(key, out var theirs) || !EqualityComparer<TValue>.Default.Equals(value, theirs))
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
        foreach (var (key, value) in _index)
        {
            hash ^= HashCode.Combine(key, value);
        }

        return hash;
    }

    public IEnumerator<KeyValuePair<string, TValue>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, TValue>>)_pairs).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
