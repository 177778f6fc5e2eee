using System.Text;

namespace Ward.Deploying.Operations;

/// <summary>
/// Hides the values of an environment's secrets wherever a log line shows them: each occurrence becomes
/// <c>[secret NAME]</c>. A value is looked for whole (without the line break a file ends with) and, when it spans several
/// lines (a key in PEM form, say), line by line, since a log line holds at most one of them. Values shorter than
/// <see cref="MinimumLength"/> characters are not looked for: they would hide ordinary words, and are no secret.
/// </summary>
public sealed class SecretMask
{
    public const int MinimumLength = 4;

    public static SecretMask None { get; } = new([]);

    /// <summary>What to look for, longest first, so that a value inside a longer one never leaves part of the longer one showing.</summary>
    private readonly (string Value, string Replacement)[] _values;

    public SecretMask(IEnumerable<KeyValuePair<string, byte[]>> secrets)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, content) in secrets)
        {
            var text = Encoding.UTF8.GetString(content).TrimEnd('\r', '\n');
            foreach (var part in text.Split('\n').Select(l => l.TrimEnd('\r')).Append(text))
            {
                if (part.Trim().Length >= MinimumLength)
                {
                    values.TryAdd(part, $"[secret {name}]");
                }
            }
        }

        _values = [.. values.OrderByDescending(v => v.Key.Length).Select(v => (v.Key, v.Value))];
    }

    /// <summary>How many distinct values are looked for.</summary>
    public int Count => _values.Length;

    public string Mask(string line)
    {
        foreach (var (value, replacement) in _values)
        {
            if (line.Contains(value, StringComparison.Ordinal))
            {
                line = line.Replace(value, replacement, StringComparison.Ordinal);
            }
        }

        return line;
    }
}
