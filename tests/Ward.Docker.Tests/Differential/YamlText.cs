using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Ward.Docker.Tests.Differential;

/// <summary>A YAML mapping in the order its entries were added (a stack file's keys keep the order they are written in).</summary>
internal sealed class YamlMap : List<KeyValuePair<string, object?>>
{
    public YamlMap Add(string key, object? value)
    {
        Add(new KeyValuePair<string, object?>(key, value));
        return this;
    }

    public bool Has(string key) => Exists(e => e.Key == key);

    public object? this[string key] => Find(e => e.Key == key).Value;
}

/// <summary>Text written into the YAML as it is, unquoted: a placeholder that becomes a number, or a YAML null.</summary>
internal sealed record YamlRaw(string Text);

/// <summary>
/// Writes maps, lists and scalars as block YAML. Strings are double-quoted with JSON escapes (valid YAML), so that no
/// generated value is read as another type by accident; numbers, booleans and <see cref="YamlRaw"/> are written bare.
/// </summary>
internal static class YamlText
{
    private static readonly JsonSerializerOptions Quoting = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(YamlMap root)
    {
        var text = new StringBuilder();
        WriteMap(text, root, 0);
        return text.ToString();
    }

    /// <summary>Any value as YAML text: equal texts are equal values.</summary>
    public static string Text(object? value) => Write(new YamlMap().Add("v", value));

    public static string Scalar(object? value) => value switch
    {
        null => "null",
        YamlRaw raw => raw.Text,
        string s => JsonSerializer.Serialize(s, Quoting),
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => throw new ArgumentException($"not a scalar: {value.GetType().Name}"),
    };

    private static void WriteMap(StringBuilder text, YamlMap map, int indent)
    {
        foreach (var (key, value) in map)
        {
            text.Append(' ', indent).Append(Key(key)).Append(':');
            WriteValue(text, value, indent);
        }
    }

    private static void WriteValue(StringBuilder text, object? value, int indent)
    {
        switch (value)
        {
            case YamlMap { Count: 0 }:
                text.Append(" {}\n");
                break;
            case YamlMap map:
                text.Append('\n');
                WriteMap(text, map, indent + 2);
                break;
            case List<object?> { Count: 0 }:
                text.Append(" []\n");
                break;
            case List<object?> list:
                text.Append('\n');
                foreach (var item in list)
                {
                    WriteItem(text, item, indent + 2);
                }

                break;
            default:
                text.Append(' ').Append(Scalar(value)).Append('\n');
                break;
        }
    }

    private static void WriteItem(StringBuilder text, object? item, int indent)
    {
        text.Append(' ', indent).Append('-');
        if (item is YamlMap { Count: > 0 } map)
        {
            // The first entry on the dash's line, the others aligned under it.
            var (firstKey, firstValue) = map[0];
            text.Append(' ').Append(Key(firstKey)).Append(':');
            WriteValue(text, firstValue, indent + 2);
            var rest = new YamlMap();
            rest.AddRange(map.Skip(1));
            WriteMap(text, rest, indent + 2);
            return;
        }

        WriteValue(text, item, indent);
    }

    private static string Key(string key) => key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') ? key : JsonSerializer.Serialize(key, Quoting);
}
