using Ward.Model.Yaml;

namespace Ward.Model.Tests.Yaml;

/// <summary>
/// Compares two trees exactly: node types, positions, scalar values and how they resolve, the alias-ratio counts,
/// and which nodes are shared (an alias is the anchored node itself, so sharing must match too).
/// </summary>
internal static class TreeComparison
{
    /// <summary>A description of the first difference, or null when the trees are the same.</summary>
    public static string? FirstDifference(YNode expected, YNode actual) =>
        Compare(expected, actual, "$", new Dictionary<YNode, YNode>(ReferenceEqualityComparer.Instance));

    private static string? Compare(YNode expected, YNode actual, string path, Dictionary<YNode, YNode> counterparts)
    {
        if (counterparts.TryGetValue(expected, out var seen))
        {
            return ReferenceEquals(seen, actual) ? null : $"{path}: the expected tree shares this node with an earlier place, the actual tree does not";
        }

        counterparts[expected] = actual;
        if (expected.GetType() != actual.GetType())
        {
            return $"{path}: expected {expected.Describe()}, found {actual.Describe()}";
        }

        if (expected.Location != actual.Location)
        {
            return $"{path}: expected at {expected.Location.Line}:{expected.Location.Column}, found at {actual.Location.Line}:{actual.Location.Column}";
        }

        if ((expected.Decoded, expected.Aliased) != (actual.Decoded, actual.Aliased))
        {
            return $"{path}: expected counts {expected.Decoded}/{expected.Aliased}, found {actual.Decoded}/{actual.Aliased}";
        }

        return (expected, actual) switch
        {
            (YScalar e, YScalar a) => CompareScalars(e, a, path),
            (YSequence e, YSequence a) => CompareSequences(e, a, path, counterparts),
            (YMapping e, YMapping a) => CompareMappings(e, a, path, counterparts),
            _ => $"{path}: unknown node type {expected.GetType().Name}",
        };
    }

    private static string? CompareScalars(YScalar expected, YScalar actual, string path) =>
        (expected.Value, expected.Kind, expected.Quoted, expected.IsTimestamp) == (actual.Value, actual.Kind, actual.Quoted, actual.IsTimestamp)
            ? null
            : $"{path}: expected scalar '{expected.Value}' ({expected.Kind}, quoted {expected.Quoted}, timestamp {expected.IsTimestamp}), " +
              $"found '{actual.Value}' ({actual.Kind}, quoted {actual.Quoted}, timestamp {actual.IsTimestamp})";

    private static string? CompareSequences(YSequence expected, YSequence actual, string path, Dictionary<YNode, YNode> counterparts)
    {
        if (expected.Items.Count != actual.Items.Count)
        {
            return $"{path}: expected {expected.Items.Count} items, found {actual.Items.Count}";
        }

        for (var i = 0; i < expected.Items.Count; i++)
        {
            if (Compare(expected.Items[i], actual.Items[i], $"{path}[{i}]", counterparts) is { } difference)
            {
                return difference;
            }
        }

        return null;
    }

    private static string? CompareMappings(YMapping expected, YMapping actual, string path, Dictionary<YNode, YNode> counterparts)
    {
        if (expected.Entries.Count != actual.Entries.Count)
        {
            return $"{path}: expected {expected.Entries.Count} entries, found {actual.Entries.Count}";
        }

        for (var i = 0; i < expected.Entries.Count; i++)
        {
            var (expectedEntry, actualEntry) = (expected.Entries[i], actual.Entries[i]);
            var entryPath = $"{path}.{expectedEntry.KeyText ?? $"<key {i}>"}";
            if (Compare(expectedEntry.Key, actualEntry.Key, entryPath + "<key>", counterparts) is { } keyDifference)
            {
                return keyDifference;
            }

            if (Compare(expectedEntry.Value, actualEntry.Value, entryPath, counterparts) is { } valueDifference)
            {
                return valueDifference;
            }
        }

        return null;
    }
}
