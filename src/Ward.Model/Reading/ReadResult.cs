using Ward.Model.Compose.Schema;
using Ward.Model.Diagnostics;
using Ward.Model.Spec;
using Ward.Model.Yaml;

namespace Ward.Model.Reading;

/// <summary>
/// The outcome of reading an environment file: the spec when the file could be read, every diagnostic, and
/// the tree to place later findings (rules) at a line and column.
/// </summary>
public sealed class ReadResult
{
    // The YAML tree is the reader's internal: results are made by the reader (and Unread), never from outside.
    private readonly YNode? _tree;

    internal ReadResult(string file, EnvironmentSpec? spec, IReadOnlyList<Diagnostic> diagnostics, YNode? tree)
    {
        File = file;
        Spec = spec;
        Diagnostics = diagnostics;
        _tree = tree;
    }

    public string File { get; }

    /// <summary>Null when the file could not be read (any error-level diagnostic).</summary>
    public EnvironmentSpec? Spec { get; }

    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    public bool Succeeded => Spec is not null;

    /// <summary>A file that could not be read for reasons outside it (its catalog, its env file), with those reasons.</summary>
    public static ReadResult Unread(string file, IReadOnlyList<Diagnostic> diagnostics) => new(file, null, diagnostics, null);

    /// <summary>
    /// Where <paramref name="path"/> is written: the value for a scalar, the key for a mapping or list. A path
    /// that is not in the file (a missing key) resolves to its nearest written ancestor.
    /// </summary>
    public SourceLocation? Locate(string path)
    {
        if (_tree is null)
        {
            return null;
        }

        // Runs once per finding, tens of thousands of times on a large file: the path is read in place, not split.
        YNode? node = _tree;
        var location = _tree.Location;
        var rest = path.AsSpan();
        while (!(rest = rest.TrimStart('.')).IsEmpty)
        {
            if (!PathText.TryTakeSegment(ref rest, out var key, out var index))
            {
                return _tree.Location;
            }

            switch (node)
            {
                case YMapping mapping when index < 0:
                    var entry = mapping.Find(key);
                    node = entry?.Value;
                    if (entry is not null)
                    {
                        location = node is YScalar ? node.Location : entry.Key.Location;
                    }

                    break;
                case YSequence sequence when index >= 0 && index < sequence.Items.Count:
                    node = sequence.Items[index];
                    location = node.Location;
                    break;
                default:
                    // Not written: keep the nearest ancestor, and only check that the rest of the path is well formed.
                    node = null;
                    break;
            }
        }

        return location;
    }
}

/// <summary>Reads the text form of a <see cref="ModelPath"/> one segment at a time.</summary>
internal static class PathText
{
    /// <summary>
    /// Takes the next segment of a non-empty text that does not start with '.': a key (<paramref name="index"/> is
    /// -1) or an index. False when the text is not a path.
    /// </summary>
    public static bool TryTakeSegment(ref ReadOnlySpan<char> rest, out ReadOnlySpan<char> key, out int index)
    {
        key = default;
        index = -1;
        if (rest[0] != '[')
        {
            var end = rest.IndexOfAny('.', '[');
            end = end < 0 ? rest.Length : end;
            key = rest[..end];
            rest = rest[end..];
            return true;
        }

        if (rest.Length > 1 && rest[1] == '"')
        {
            return TryTakeQuotedKey(ref rest, out key);
        }

        var close = rest.IndexOf(']');
        if (close < 0 || !int.TryParse(rest[1..close], out index))
        {
            return false;
        }

        rest = rest[(close + 1)..];
        return true;
    }

    private static bool TryTakeQuotedKey(ref ReadOnlySpan<char> rest, out ReadOnlySpan<char> key)
    {
        key = default;
        var body = rest[2..];
        var escaped = false;
        var j = 0;
        while (j < body.Length && body[j] != '"')
        {
            if (body[j] == '\\' && j + 1 < body.Length)
            {
                escaped = true;
                j++;
            }

            j++;
        }

        if (j + 1 >= body.Length || body[j + 1] != ']')
        {
            return false;
        }

        key = escaped ? Unescape(body[..j]) : body[..j];
        rest = body[(j + 2)..];
        return true;
    }

    private static string Unescape(ReadOnlySpan<char> text)
    {
        var result = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                i++;
            }

            result.Append(text[i]);
        }

        return result.ToString();
    }
}
