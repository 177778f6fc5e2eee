using System.Text;

namespace Ward.Model.Compose.Schema;

/// <summary>
/// A path into the environment file, e.g. <c>services.web.deploy.replicas</c> or <c>x-ward.nodes[1].size</c>.
/// Built as a linked list so that validating a large file allocates path text only for reported problems.
/// Keys that contain dots or brackets are quoted: <c>labels["com.example.tier"]</c>.
/// </summary>
internal sealed class ModelPath
{
    private readonly ModelPath? _parent;
    private readonly string? _key;
    private readonly int _index;

    private ModelPath(ModelPath? parent, string? key, int index)
    {
        _parent = parent;
        _key = key;
        _index = index;
    }

    public static ModelPath Root { get; } = new(null, null, -1);

    public bool IsRoot => _parent is null;

    public ModelPath? Parent => _parent;

    /// <summary>The last key of the path, or null for an index or the root.</summary>
    public string? Key => _key;

    public ModelPath Child(string key) => new(this, key, -1);

    public ModelPath Index(int index) => new(this, null, index);

    /// <summary>The path's segments from the root: strings for keys, ints for indexes.</summary>
    public IReadOnlyList<object> Segments()
    {
        var segments = new List<object>();
        for (var p = this; p._parent is not null; p = p._parent)
        {
            segments.Add(p._key is null ? p._index : p._key);
        }

        segments.Reverse();
        return segments;
    }

    public override string ToString()
    {
        var chain = new Stack<ModelPath>();
        for (var p = this; p._parent is not null; p = p._parent)
        {
            chain.Push(p);
        }

        var text = new StringBuilder();
        foreach (var p in chain)
        {
            if (p._key is null)
            {
                AppendIndex(text, p._index);
            }
            else
            {
                AppendKey(text, p._key);
            }
        }

        return text.ToString();
    }

    public static string Format(IEnumerable<object> segments)
    {
        var text = new StringBuilder();
        foreach (var segment in segments)
        {
            if (segment is int index)
            {
                AppendIndex(text, index);
            }
            else
            {
                AppendKey(text, segment.ToString() ?? "");
            }
        }

        return text.ToString();
    }

    /// <summary>Appends a key to a path's text: after a '.', or quoted in brackets when it holds dots, brackets or quotes.</summary>
    public static void AppendKey(StringBuilder text, string key)
    {
        if (NeedsQuotes(key))
        {
            text.Append("[\"").Append(key.Replace("\"", "\\\"", StringComparison.Ordinal)).Append("\"]");
            return;
        }

        if (text.Length > 0)
        {
            text.Append('.');
        }

        text.Append(key);
    }

    public static void AppendIndex(StringBuilder text, int index) => text.Append('[').Append(index).Append(']');

    /// <summary>Whether a key is written as it is, after a '.' (not quoted in brackets).</summary>
    public static bool IsPlainKey(string key) => !NeedsQuotes(key);

    private static bool NeedsQuotes(string key) => key.Length == 0 || key.AsSpan().IndexOfAny(".[]\"") >= 0;
}

/// <summary>
/// A path made only when it is needed: a parent path and the last key or index. Validating a large file visits
/// hundreds of thousands of values, nearly all of them leaves that are never reported on.
/// </summary>
internal readonly struct LazyPath
{
    // The whole path when _key is null and _index is negative; else the parent of the key or index.
    private readonly ModelPath _path;
    private readonly string? _key;
    private readonly int _index;

    private LazyPath(ModelPath path, string? key, int index)
    {
        _path = path;
        _key = key;
        _index = index;
    }

    public static implicit operator LazyPath(ModelPath path) => new(path, null, -1);

    public static LazyPath Child(ModelPath parent, string key) => new(parent, key, -1);

    public static LazyPath Item(ModelPath parent, int index) => new(parent, null, index);

    public ModelPath Resolve() => _key is not null ? _path.Child(_key) : _index >= 0 ? _path.Index(_index) : _path;

    public override string ToString() => Resolve().ToString();
}
