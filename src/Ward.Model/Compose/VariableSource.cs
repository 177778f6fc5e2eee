namespace Ward.Model.Compose;

/// <summary>
/// Where <c>${VAR}</c> values come from: the process environment, then an optional env file
/// (the process environment wins, as with Docker Compose, so a CI variable overrides a checked-in file).
/// </summary>
public sealed class VariableSource
{
    private readonly IReadOnlyDictionary<string, string> _process;
    private readonly IReadOnlyDictionary<string, string> _file;

    public VariableSource(IReadOnlyDictionary<string, string> process, IReadOnlyDictionary<string, string>? file = null)
    {
        _process = process;
        _file = file ?? new Dictionary<string, string>();
    }

    public static VariableSource Empty { get; } = new(new Dictionary<string, string>());

    public static VariableSource FromProcess(IReadOnlyDictionary<string, string>? envFile = null)
    {
        var process = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            process[(string)entry.Key] = (string?)entry.Value ?? "";
        }

        return new VariableSource(process, envFile);
    }

    public bool TryGet(string name, out string value) =>
        _process.TryGetValue(name, out value!) || _file.TryGetValue(name, out value!);

    public static bool IsVariableName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
