using System.Globalization;
using Ward.Model.Spec;
using Ward.Model.Yaml;

namespace Ward.Model.Reading;

/// <summary>
/// Typed access to a tree that has already been validated: each helper tolerates a missing or odd node
/// (returns null or empty) because the validator has reported anything wrong.
/// </summary>
internal static class Nodes
{
    public static YNode? Get(this YNode? node, string key) => (node as YMapping)?.Get(key);

    public static string? Text(this YNode? node) => node is YScalar { IsNull: false } scalar ? scalar.Value : null;

    /// <summary>An integer; a whole-valued float counts (replicas: 3.0 or 1e2), as JSON Schema and the CLI's decoder count it.</summary>
    public static long? Long(this YNode? node) => node switch
    {
        YScalar scalar when ScalarResolver.TryGetLong(scalar, out var value) => value,
        YScalar { Kind: ScalarKind.Float } scalar when ScalarResolver.TryGetDouble(scalar, out var real) &&
                                                        real == Math.Floor(real) && Math.Abs(real) < 9.2e18 => (long)real,
        _ => null,
    };

    public static int? Int(this YNode? node) => Long(node) is { } value && value is >= int.MinValue and <= int.MaxValue ? (int)value : null;

    public static double? Double(this YNode? node)
    {
        if (node is not YScalar scalar)
        {
            return null;
        }

        if (ScalarResolver.TryGetDouble(scalar, out var value))
        {
            return value;
        }

        return scalar.Kind == ScalarKind.String && double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out value) ? value : null;
    }

    public static bool? Bool(this YNode? node) => node is YScalar { Kind: ScalarKind.Bool } scalar
        ? scalar.Value is "true" or "True" or "TRUE"
        : null;

    /// <summary>A string, or a list of strings (string_or_list).</summary>
    public static ValueList<string> Strings(this YNode? node) => node switch
    {
        YScalar { IsNull: false } scalar => ValueList.Of(scalar.Value),
        YSequence sequence => TextsOf(sequence),
        _ => ValueList<string>.Empty,
    };

    // A loop, not LINQ: every service has a few lists of strings, and a file can have thousands of services.
    private static ValueList<string> TextsOf(YSequence sequence)
    {
        var items = sequence.Items;
        var count = 0;
        for (var i = 0; i < items.Count; i++)
        {
            count += Text(items[i]) is null ? 0 : 1;
        }

        var texts = new string[count];
        for (int i = 0, next = 0; i < items.Count; i++)
        {
            if (Text(items[i]) is { } text)
            {
                texts[next++] = text;
            }
        }

        return ValueList<string>.Own(texts);
    }

    /// <summary>A mapping of names to scalars, or a list of "KEY=value" (list_or_dict). A missing value is null.</summary>
    public static ValueMap<string?> Pairs(this YNode? node, char separator = '=')
    {
        switch (node)
        {
            case YMapping mapping:
                var pairs = new List<KeyValuePair<string, string?>>(mapping.Entries.Count);
                foreach (var entry in mapping.Entries)
                {
                    if (entry.KeyText is { } key)
                    {
                        pairs.Add(new KeyValuePair<string, string?>(key, Text(entry.Value)));
                    }
                }

                return new ValueMap<string?>(pairs);
            case YSequence sequence:
                return new ValueMap<string?>(sequence.Items.Select(Text).OfType<string>().Select(item =>
                {
                    var at = item.IndexOf(separator, StringComparison.Ordinal);
                    return at < 0
                        ? new KeyValuePair<string, string?>(item, null)
                        : new KeyValuePair<string, string?>(item[..at], item[(at + 1)..]);
                }));
            default:
                return ValueMap<string?>.Empty;
        }
    }

    /// <summary>Like <see cref="Pairs"/>, with a missing value read as an empty string (labels, sysctls).</summary>
    public static ValueMap<string> Labels(this YNode? node) => node is null
        ? ValueMap<string>.Empty
        : new(Pairs(node).Select(p => new KeyValuePair<string, string>(p.Key, p.Value ?? "")));

    public static IEnumerable<(string Key, YNode Value, YScalar KeyNode)> Entries(this YNode? node) =>
        node is YMapping mapping
            ? mapping.Entries.Where(e => e.Key is YScalar).Select(e => (e.KeyText!, e.Value, (YScalar)e.Key))
            : [];

    public static IReadOnlyList<YNode> Items(this YNode? node) => node is YSequence sequence ? sequence.Items : [];
}
