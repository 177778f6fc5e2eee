using Ward.Model.Diagnostics;

namespace Ward.Model.Yaml;

/// <summary>
/// A YAML node that remembers where it came from. Ward builds its own small tree (rather than using a
/// library's object model) to control what a hostile file can do: duplicate keys, alias expansion and
/// nesting depth are all checked while building.
/// </summary>
internal abstract class YNode(SourceLocation location)
{
    public SourceLocation Location { get; } = location;

    /// <summary>How many nodes decoding this one visits, aliases expanded (set by the builder, for the alias-ratio rule).</summary>
    // Virtual, and counted only in lists and mappings: a scalar is always one node, and a file has many scalars.
    internal virtual long Decoded => 1;

    /// <summary>How many of <see cref="Decoded"/> come through aliases.</summary>
    internal virtual long Aliased => 0;

    /// <summary>A word for messages: "a string", "a mapping", ...</summary>
    public abstract string Describe();
}

/// <summary>How a plain scalar resolves under the YAML 1.2 core schema (as the Docker CLI's YAML library does).</summary>
internal enum ScalarKind
{
    String,
    Null,
    Bool,
    Int,
    Float,
}

internal sealed class YScalar(SourceLocation location, string value, ScalarKind kind, bool quoted) : YNode(location)
{
    public string Value { get; } = value;

    public ScalarKind Kind { get; } = kind;

    /// <summary>True when the scalar was written in quotes or as a block scalar: it is a string whatever it looks like.</summary>
    public bool Quoted { get; } = quoted;

    public bool IsNull => Kind == ScalarKind.Null;

    /// <summary>
    /// True for a plain scalar such as <c>2001-12-14</c> that the CLI's YAML library decodes as a time, not a string:
    /// it passes the schema as text, but most keys then refuse it (see <see cref="ScalarResolver.IsTimestamp"/>).
    /// </summary>
    public bool IsTimestamp { get; init; }

    public YScalar With(string value, ScalarKind kind) => new(Location, value, kind, Quoted);

    public override string Describe() => Kind switch
    {
        ScalarKind.Null => "null",
        ScalarKind.Bool => $"the boolean {Value}",
        ScalarKind.Int => $"the integer {Value}",
        ScalarKind.Float => $"the number {Value}",
        _ => $"the string '{Shorten(Value)}'",
    };

    internal static string Shorten(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 57), "...");
}

internal sealed class YSequence(SourceLocation location, IReadOnlyList<YNode> items) : YNode(location)
{
    public IReadOnlyList<YNode> Items { get; } = items;

    /// <summary>What <see cref="YNode.Decoded"/> and <see cref="YNode.Aliased"/> say of this node (set by the builder).</summary>
    internal (long Decoded, long Aliased) Counts { get; init; } = (1, 0);

    internal override long Decoded => Counts.Decoded;

    internal override long Aliased => Counts.Aliased;

    public override string Describe() => "a list";
}

/// <summary>One key/value pair of a mapping; keys are kept as nodes because YAML allows non-string keys.</summary>
internal sealed record YEntry(YNode Key, YNode Value)
{
    /// <summary>The key's text when it is a scalar, else null.</summary>
    public string? KeyText => (Key as YScalar)?.Value;
}

internal sealed class YMapping : YNode
{
    // Up to this many entries a scan beats building an index (a service has a dozen keys; a file has thousands of services).
    internal const int ScanLimit = 16;

    // An array, not the interface: lookups scan it for every key the reader and the rules ask for.
    private readonly YEntry[] _entries;

    private Dictionary<string, YEntry>? _index;

    public YMapping(SourceLocation location, IReadOnlyList<YEntry> entries)
        : base(location) => _entries = entries as YEntry[] ?? [.. entries];

    public IReadOnlyList<YEntry> Entries => _entries;

    /// <summary>What <see cref="YNode.Decoded"/> and <see cref="YNode.Aliased"/> say of this node (set by the builder).</summary>
    internal (long Decoded, long Aliased) Counts { get; init; } = (1, 0);

    internal override long Decoded => Counts.Decoded;

    internal override long Aliased => Counts.Aliased;

    public override string Describe() => "a mapping";

    public YEntry? Find(string key)
    {
        if (_entries.Length <= ScanLimit)
        {
            foreach (var entry in _entries)
            {
                if (entry.KeyText == key)
                {
                    return entry;
                }
            }

            return null;
        }

        return Index().GetValueOrDefault(key);
    }

    public YNode? Get(string key) => Find(key)?.Value;

    /// <summary>As <see cref="Find(string)"/>, for a key that is part of a longer text (a path), without allocating it.</summary>
    public YEntry? Find(ReadOnlySpan<char> key)
    {
        if (_entries.Length <= ScanLimit)
        {
            foreach (var entry in _entries)
            {
                if (entry.KeyText is { } text && key.SequenceEqual(text))
                {
                    return entry;
                }
            }

            return null;
        }

        return Index().GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(key, out var found) ? found : null;
    }

    // Findings are located from several threads at once (Checker.Run): the first index published wins, and a
    // thread that built another one in the meantime uses the winner (both are the same).
    private Dictionary<string, YEntry> Index()
    {
        if (_index is { } index)
        {
            return index;
        }

        var built = BuildIndex();
        return Interlocked.CompareExchange(ref _index, built, null) ?? built;
    }

    private Dictionary<string, YEntry> BuildIndex()
    {
        var index = new Dictionary<string, YEntry>(_entries.Length, StringComparer.Ordinal);
        foreach (var entry in _entries)
        {
            if (entry.KeyText is { } text)
            {
                index.TryAdd(text, entry);
            }
        }

        return index;
    }
}
