using System.Text;

namespace Ward.Model.Compose.Schema;

/// <summary>
/// A path into the environment file, e.g. <c>services.web.deploy.replicas</c> or <c>x-ward.nodes[1].size</c>.
/// Built as a linked list so that validating a large file allocates path text only for reported problems.
/// Keys that contain dots or brackets are quoted: <c>labels["com.example.tier"]</c>.
/// </summary>
public sealed class ModelPath
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

    public override string ToString() => Format(Segments());

    public static string Format(IEnumerable<object> segments)
    {
        var text = new StringBuilder();
        foreach (var segment in segments)
        {
            if (segment is int index)
            {
                text.Append('[').Append(index).Append(']');
            }
            else if (segment is string key && NeedsQuotes(key))
            {
                text.Append("[\"").Append(key.Replace("\"", "\\\"", StringComparison.Ordinal)).Append("\"]");
            }
            else
            {
                if (text.Length > 0)
                {
                    text.Append('.');
                }

                text.Append(segment);
            }
        }

        return text.ToString();
    }

    /// <summary>Parses the text form back into segments; null when the text is not a path.</summary>
    public static IReadOnlyList<object>? Parse(string text)
    {
        var segments = new List<object>();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '.')
            {
                i++;
                continue;
            }

            if (text[i] == '[')
            {
                if (i + 1 < text.Length && text[i + 1] == '"')
                {
                    var key = new StringBuilder();
                    var j = i + 2;
                    while (j < text.Length && text[j] != '"')
                    {
                        if (text[j] == '\\' && j + 1 < text.Length)
                        {
                            j++;
                        }

                        key.Append(text[j++]);
                    }

                    if (j + 1 >= text.Length || text[j + 1] != ']')
                    {
                        return null;
                    }

                    segments.Add(key.ToString());
                    i = j + 2;
                }
                else
                {
                    var close = text.IndexOf(']', i);
                    if (close < 0 || !int.TryParse(text.AsSpan(i + 1, close - i - 1), out var index))
                    {
                        return null;
                    }

                    segments.Add(index);
                    i = close + 1;
                }

                continue;
            }

            var end = i;
            while (end < text.Length && text[end] is not ('.' or '['))
            {
                end++;
            }

            segments.Add(text[i..end]);
            i = end;
        }

        return segments;
    }

    private static bool NeedsQuotes(string key) => key.Length == 0 || key.AsSpan().IndexOfAny(".[]\"") >= 0;
}
