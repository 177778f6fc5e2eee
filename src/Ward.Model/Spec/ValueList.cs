using System.Collections;

namespace Ward.Model.Spec;

/// <summary>
/// An immutable list with structural equality, so that records holding lists compare by content and
/// "did the spec change?" stays a plain equality test.
/// </summary>
public sealed class ValueList<T> : IReadOnlyList<T>, IEquatable<ValueList<T>>
{
    private readonly T[] _items;

    public ValueList(IEnumerable<T> items) => _items = [.. items];

    private ValueList(T[] items) => _items = items;

    public static ValueList<T> Empty { get; } = new([]);

    /// <summary>A list over <paramref name="items"/> itself, not a copy: for a builder that hands over an array it made.</summary>
    internal static ValueList<T> Own(T[] items) => items.Length == 0 ? Empty : new(items);

    public int Count => _items.Length;

    public T this[int index] => _items[index];

    public bool Equals(ValueList<T>? other) =>
        other is not null && (ReferenceEquals(this, other) || _items.AsSpan().SequenceEqual(other._items, EqualityComparer<T>.Default));

    public override bool Equals(object? obj) => obj is ValueList<T> other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in _items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    /// <summary>A struct enumerator: foreach over a list (the rules do, over every service) allocates nothing.</summary>
    public ArrayEnumerator<T> GetEnumerator() => new(_items);

    IEnumerator<T> IEnumerable<T>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"[{string.Join(", ", _items)}]";
}

/// <summary>Helpers to make <see cref="ValueList{T}"/> values.</summary>
public static class ValueList
{
    public static ValueList<T> Of<T>(params T[] items) => new(items);

    public static ValueList<T> ToValueList<T>(this IEnumerable<T> items) => new(items);
}

/// <summary>Enumerates an array without allocating (a struct, as <see cref="List{T}.Enumerator"/>).</summary>
public struct ArrayEnumerator<T>(T[] items) : IEnumerator<T>
{
    private int _index = -1;

    public readonly T Current => items[_index];

    readonly object? IEnumerator.Current => Current;

    public bool MoveNext() => ++_index < items.Length;

    public void Reset() => _index = -1;

    public readonly void Dispose()
    {
    }
}
