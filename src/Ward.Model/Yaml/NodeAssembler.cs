using Ward.Model.Diagnostics;
using YamlDotNet.Core;

namespace Ward.Model.Yaml;

/// <summary>
/// Assembles the tree the way the Docker CLI's YAML library does, whichever parser read the text: anchors and
/// aliases (shared nodes, never copies), merge keys (explicit keys win, then the first merged mapping), duplicate
/// keys (each one an error, the first kept), and the count of nodes decoding would visit, for the alias-ratio rule.
/// </summary>
internal sealed class NodeAssembler(string file, DiagnosticBag diagnostics)
{
    private readonly Dictionary<string, YNode> _anchors = new(StringComparer.Ordinal);

    // Scratch for the mapping being assembled (its children are complete, so one list serves every mapping).
    private readonly List<YEntry> _entries = [];

    public string File => file;

    public SourceLocation At(long line, long column) => new(file, (int)line, (int)column);

    /// <summary>An untagged scalar: plain ones resolve by the YAML 1.2 core schema, quoted ones are strings.</summary>
    public static YScalar Scalar(SourceLocation at, string value, bool plain) => plain
        ? new YScalar(at, value, ScalarResolver.Resolve(value), false) { IsTimestamp = ScalarResolver.IsTimestamp(value) }
        : new YScalar(at, value, ScalarKind.String, true);

    public void Anchor(string name, YNode node) => _anchors[name] = node;

    public bool TryAlias(string name, out YNode node) => _anchors.TryGetValue(name, out node!);

    /// <summary>The counts a child adds to its parent: an alias adds its target's nodes, all as aliased.</summary>
    public static (long Decoded, long Aliased) CountOf(YNode node, bool viaAlias) =>
        viaAlias ? (1 + node.Decoded, node.Decoded) : (node.Decoded, node.Aliased);

    public static YSequence Sequence(SourceLocation at, List<(YNode Node, bool ViaAlias)> items)
    {
        long decoded = 1, aliased = 0;
        var nodes = new List<YNode>(items.Count);
        foreach (var (item, viaAlias) in items)
        {
            var (d, a) = CountOf(item, viaAlias);
            decoded += d;
            aliased += a;
            nodes.Add(item);
        }

        return new YSequence(at, nodes) { Counts = (decoded, aliased) };
    }

    public YMapping Mapping(SourceLocation at, List<(YNode Key, bool KeyViaAlias, YNode Value, bool ValueViaAlias)> pairs)
    {
        var entries = _entries;
        entries.Clear();
        var seen = pairs.Count > YMapping.ScanLimit ? new Dictionary<string, YEntry>(pairs.Count, StringComparer.Ordinal) : null;
        List<YMapping>? merges = null;
        YScalar? firstMergeKey = null;
        long decoded = 1, aliased = 0;
        foreach (var (key, keyViaAlias, value, valueViaAlias) in pairs)
        {
            var (keyDecoded, keyAliased) = CountOf(key, keyViaAlias);
            var (valueDecoded, valueAliased) = CountOf(value, valueViaAlias);
            decoded += keyDecoded + valueDecoded;
            aliased += keyAliased + valueAliased;

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
                throw Error(key.Location, "a list or mapping cannot be a key");
            }

            if (key is YScalar keyScalar)
            {
                if (Find(entries, seen, keyScalar.Value) is { } first)
                {
                    DuplicateKey(keyScalar, first.Key.Location);
                    continue;
                }

                var entry = new YEntry(key, value);
                seen?.Add(keyScalar.Value, entry);
                entries.Add(entry);
                continue;
            }

            entries.Add(new YEntry(key, value));
        }

        if (merges is not null)
        {
            // Explicit keys win over merged ones; among merged mappings the first listed wins.
            seen ??= entries.Where(e => e.KeyText is not null).GroupBy(e => e.KeyText!).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
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

        return new YMapping(at, entries.ToArray()) { Counts = (decoded, aliased) };
    }

    private static YEntry? Find(List<YEntry> entries, Dictionary<string, YEntry>? index, string key)
    {
        if (index is not null)
        {
            return index.GetValueOrDefault(key);
        }

        foreach (var entry in entries)
        {
            if (entry.KeyText == key)
            {
                return entry;
            }
        }

        return null;
    }

    private void DuplicateKey(YScalar key, SourceLocation first) =>
        diagnostics.Error(DiagnosticCodes.Yaml, "", $"the key '{key.Value}' is already defined at line {first.Line}; each key may appear once in a mapping", key.Location);

    private static IEnumerable<YMapping> MergeSources(YNode value) => value switch
    {
        YMapping mapping => [mapping],
        YSequence sequence when sequence.Items.All(item => item is YMapping) => sequence.Items.Cast<YMapping>(),
        _ => throw Error(value.Location, "a merge key '<<' needs a mapping or a list of mappings as its value"),
    };

    private static YamlException Error(SourceLocation at, string message)
    {
        var mark = new Mark(0, at.Line, at.Column);
        return new YamlException(mark, mark, message);
    }
}
