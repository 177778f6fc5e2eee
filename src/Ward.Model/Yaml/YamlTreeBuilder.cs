using System.Text;
using Ward.Model.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Ward.Model.Yaml;

/// <summary>
/// Builds a <see cref="YNode"/> tree from the first YAML document of a text with YamlDotNet's event parser, with
/// the guards of the Docker CLI's YAML library: duplicate keys are errors (all of them reported), control
/// characters and invalid UTF-8 are refused, nesting is bounded, and a document that expands mostly through
/// aliases ("billion laughs") is refused by the same ratio rule, without ever expanding it.
/// </summary>
public sealed class YamlTreeBuilder
{
    /// <summary>The CLI refuses deeper documents; the reader runs on a large stack to reach this safely.</summary>
    public const int MaxDepth = 9_999;

    private readonly string _file;
    private readonly DiagnosticBag _diagnostics;
    private readonly Dictionary<string, YNode> _anchors = new(StringComparer.Ordinal);

    // Per node: how many nodes decoding it visits (aliases expanded), and how many of those come through aliases.
    private readonly Dictionary<YNode, (long Decoded, long Aliased)> _counts = new(ReferenceEqualityComparer.Instance);

    private YamlTreeBuilder(string file, DiagnosticBag diagnostics)
    {
        _file = file;
        _diagnostics = diagnostics;
    }

    /// <summary>
    /// Decodes the file's bytes: UTF-8 (with or without BOM) or UTF-16 with a BOM. Invalid bytes and control
    /// characters are diagnostics, never replacement characters.
    /// </summary>
    public static string? Decode(ReadOnlySpan<byte> bytes, string file, DiagnosticBag diagnostics)
    {
        string text;
        try
        {
            if (bytes.StartsWith("\xFF\xFE"u8) || bytes.StartsWith("\xFE\xFF"u8))
            {
                var bigEndian = bytes[0] == 0xFE;
                text = new UnicodeEncoding(bigEndian, false, true).GetString(bytes[2..]);
            }
            else
            {
                text = new UTF8Encoding(false, true).GetString(bytes.StartsWith("\xEF\xBB\xBF"u8) ? bytes[3..] : bytes);
            }
        }
        catch (DecoderFallbackException e)
        {
            var offset = Math.Clamp(e.Index, 0, bytes.Length);
            diagnostics.Error(DiagnosticCodes.Yaml, "", $"the file is not UTF-8 text: invalid byte sequence at offset {offset}", At(file, bytes, offset));
            return null;
        }

        for (var i = 0; i < text.Length; i++)
        {
            if (IsForbiddenCharacter(text[i]))
            {
                var (line, column) = LineAndColumn(text, i);
                diagnostics.Error(DiagnosticCodes.Yaml, "", $"the file contains the control character U+{(int)text[i]:X4}, which YAML does not allow (is it a binary file?)", new SourceLocation(file, line, column));
                return null;
            }
        }

        return text;
    }

    /// <summary>Parses the first YAML document of <paramref name="text"/>; null when the file is empty or broken.</summary>
    public static YNode? Build(string text, string file, DiagnosticBag diagnostics) =>
        new YamlTreeBuilder(file, diagnostics).Run(text);

    /// <summary>The share of a document's nodes that may come from aliases (the Go YAML library's rule).</summary>
    public static double AllowedAliasRatio(long decoded) => decoded switch
    {
        <= 400_000 => 0.99,
        >= 4_000_000 => 0.10,
        _ => 0.99 - (0.89 * (decoded - 400_000) / 3_600_000.0),
    };

    private static bool IsForbiddenCharacter(char c) =>
        c is (< '\x20' and not ('\t' or '\n' or '\r')) or '\x7F' or (>= '\x80' and <= '\x9F' and not '\x85') or '\uFFFE' or '\uFFFF';

    private static SourceLocation At(string file, ReadOnlySpan<byte> bytes, int offset)
    {
        var before = bytes[..offset];
        return new SourceLocation(file, before.Count((byte)'\n') + 1, offset - before.LastIndexOf((byte)'\n'));
    }

    private static (int Line, int Column) LineAndColumn(string text, int offset)
    {
        var before = text.AsSpan(0, offset);
        return (before.Count('\n') + 1, offset - before.LastIndexOf('\n'));
    }

    private SourceLocation At(Mark mark) => new(_file, (int)mark.Line, (int)mark.Column);

    private YNode? Run(string text)
    {
        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                return null;
            }

            parser.Consume<DocumentStart>();
            if (parser.Accept<DocumentEnd>(out _))
            {
                return null;
            }

            var (root, _) = ReadNode(parser, depth: 0);
            return CheckAliasing(root) ? root : null;
        }
        catch (YamlException e)
        {
            _diagnostics.Error(DiagnosticCodes.Yaml, "", $"not valid YAML: {CleanMessage(e)}", At(e.Start));
            return null;
        }
        catch (TooDeepException e)
        {
            _diagnostics.Error(DiagnosticCodes.Yaml, "", $"the YAML is nested deeper than {MaxDepth} levels", e.Location);
            return null;
        }
    }

    private static string CleanMessage(YamlException e)
    {
        // YamlDotNet prefixes messages with "(Line: x, Col: y, Idx: z) - (...): ": the location is reported separately.
        var message = e.Message;
        var start = message.IndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith("(Line:", StringComparison.Ordinal) && start > 0)
        {
            message = message[(start + 3)..];
        }

        return message.TrimEnd('.');
    }

    private bool CheckAliasing(YNode root)
    {
        var (decoded, aliased) = _counts[root];
        if (aliased > 100 && decoded > 1000 && (double)aliased / decoded > AllowedAliasRatio(decoded))
        {
            _diagnostics.Error(
                DiagnosticCodes.Yaml,
                "",
                $"the YAML expands through aliases to {decoded:N0} nodes, {aliased:N0} of them from aliases: refused as excessive aliasing (a \"billion laughs\" file)",
                root.Location);
            return false;
        }

        return true;
    }

    /// <summary>Reads one node; the flag tells whether it was an alias (its nodes then count as aliased).</summary>
    private (YNode Node, bool ViaAlias) ReadNode(IParser parser, int depth)
    {
        var current = parser.Current ?? throw new YamlException("unexpected end of the YAML stream");
        if (depth > MaxDepth)
        {
            throw new TooDeepException(At(current.Start));
        }

        switch (current)
        {
            case AnchorAlias alias:
                parser.MoveNext();
                if (!_anchors.TryGetValue(alias.Value.Value, out var target))
                {
                    throw new YamlException(alias.Start, alias.End, $"unknown anchor '{alias.Value.Value}' referenced (an anchor must be defined before it is used, and not inside itself)");
                }

                return (target, true);
            case Scalar scalar:
                parser.MoveNext();
                return (Remember(scalar.Anchor, ToScalar(scalar), 1, 0), false);
            case SequenceStart start:
                return (ReadSequence(parser, start, depth), false);
            case MappingStart start:
                return (ReadMapping(parser, start, depth), false);
            default:
                throw new YamlException(current.Start, current.End, $"unexpected {current.GetType().Name}");
        }
    }

    /// <summary>The counts a child adds to its parent: an alias adds its target's nodes, all as aliased.</summary>
    private (long Decoded, long Aliased) CountOf(YNode node, bool viaAlias)
    {
        var (decoded, aliased) = _counts[node];
        return viaAlias ? (1 + decoded, decoded) : (decoded, aliased);
    }

    private YNode Remember(AnchorName anchor, YNode node, long decoded, long aliased)
    {
        _counts[node] = (decoded, aliased);
        if (!anchor.IsEmpty)
        {
            _anchors[anchor.Value] = node;
        }

        return node;
    }

    private YScalar ToScalar(Scalar scalar)
    {
        var location = At(scalar.Start);
        var quoted = scalar.Style is not ScalarStyle.Plain;
        var kind = scalar.Tag.IsEmpty || scalar.Tag.Value == "!" && !quoted
            ? quoted ? ScalarKind.String : ScalarResolver.Resolve(scalar.Value)
            : KindOfTag(scalar);
        return new YScalar(location, scalar.Value, kind, quoted || (!scalar.Tag.IsEmpty && kind == ScalarKind.String));
    }

    private static ScalarKind KindOfTag(Scalar scalar) => scalar.Tag.Value switch
    {
        "tag:yaml.org,2002:str" or "tag:yaml.org,2002:binary" or "!" => ScalarKind.String,
        "tag:yaml.org,2002:null" => ScalarKind.Null,
        "tag:yaml.org,2002:bool" => Checked(scalar, ScalarKind.Bool),
        "tag:yaml.org,2002:int" => Checked(scalar, ScalarKind.Int),
        "tag:yaml.org,2002:float" => ScalarResolver.Resolve(scalar.Value) is ScalarKind.Int or ScalarKind.Float ? ScalarKind.Float : Checked(scalar, ScalarKind.Float),
        // Like the CLI's YAML library, unknown local tags are ignored and the value resolves as if untagged.
        _ => scalar.Style is ScalarStyle.Plain ? ScalarResolver.Resolve(scalar.Value) : ScalarKind.String,
    };

    private static ScalarKind Checked(Scalar scalar, ScalarKind wanted) => ScalarResolver.Resolve(scalar.Value) == wanted
        ? wanted
        : throw new YamlException(scalar.Start, scalar.End, $"cannot read '{YScalar.Shorten(scalar.Value)}' as {wanted.ToString().ToLowerInvariant()} (tag {scalar.Tag.Value})");

    private YSequence ReadSequence(IParser parser, SequenceStart start, int depth)
    {
        parser.MoveNext();
        var items = new List<YNode>();
        long decoded = 1, aliased = 0;
        while (!parser.TryConsume<SequenceEnd>(out _))
        {
            var (item, viaAlias) = ReadNode(parser, depth + 1);
            var (d, a) = CountOf(item, viaAlias);
            decoded += d;
            aliased += a;
            items.Add(item);
        }

        return (YSequence)Remember(start.Anchor, new YSequence(At(start.Start), items), decoded, aliased);
    }

    private YMapping ReadMapping(IParser parser, MappingStart start, int depth)
    {
        parser.MoveNext();
        var entries = new List<YEntry>();
        var seen = new Dictionary<string, YEntry>(StringComparer.Ordinal);
        List<YMapping>? merges = null;
        YScalar? firstMergeKey = null;
        long decoded = 1, aliased = 0;
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var (key, keyViaAlias) = ReadNode(parser, depth + 1);
            var (value, valueViaAlias) = ReadNode(parser, depth + 1);
            foreach (var (node, viaAlias) in new[] { (key, keyViaAlias), (value, valueViaAlias) })
            {
                var (d, a) = CountOf(node, viaAlias);
                decoded += d;
                aliased += a;
            }

            if (key is YScalar { Value: "<<", Quoted: false } mergeKey)
            {
                if (firstMergeKey is not null)
                {
                    DuplicateKey(mergeKey, firstMergeKey.Location);
                    continue;
                }

                firstMergeKey = mergeKey;
                merges = [.. MergeSources(value)];
                continue;
            }

            if (key is YSequence or YMapping)
            {
                throw new YamlException(Mark(key.Location), Mark(key.Location), "a list or mapping cannot be a key");
            }

            if (key is YScalar keyScalar)
            {
                if (seen.TryGetValue(keyScalar.Value, out var first))
                {
                    DuplicateKey(keyScalar, first.Key.Location);
                    continue;
                }

                seen[keyScalar.Value] = new YEntry(key, value);
            }

            entries.Add(new YEntry(key, value));
        }

        if (merges is not null)
        {
            // Explicit keys win over merged ones; among merged mappings the first listed wins.
            foreach (var source in merges)
            {
                foreach (var entry in source.Entries)
                {
                    if (entry.KeyText is { } text && seen.TryAdd(text, entry))
                    {
                        entries.Add(entry);
                    }
                }
            }
        }

        return (YMapping)Remember(start.Anchor, new YMapping(At(start.Start), entries), decoded, aliased);
    }

    private void DuplicateKey(YScalar key, SourceLocation first) =>
        _diagnostics.Error(DiagnosticCodes.Yaml, "", $"the key '{key.Value}' is already defined at line {first.Line}; each key may appear once in a mapping", key.Location);

    private static Mark Mark(SourceLocation location) => new(0, location.Line, location.Column);

    private static IEnumerable<YMapping> MergeSources(YNode value) => value switch
    {
        YMapping mapping => [mapping],
        YSequence sequence when sequence.Items.All(item => item is YMapping) => sequence.Items.Cast<YMapping>(),
        _ => throw new YamlException(Mark(value.Location), Mark(value.Location), "a merge key '<<' needs a mapping or a list of mappings as its value"),
    };

    private sealed class TooDeepException(SourceLocation location) : Exception
    {
        public SourceLocation Location { get; } = location;
    }
}
