using Ward.Model.Diagnostics;

namespace Ward.Model.Compose;

/// <summary>
/// The env-file format of the Docker CLI (service <c>env_file</c>, and Ward's <c>--env-file</c>): one
/// <c>KEY=VALUE</c> per line, the value kept verbatim (quotes, '#' and '$' included); blank and '#' lines
/// skipped; a bare <c>KEY</c> takes its value from the host environment, or is dropped when unset.
/// </summary>
public static class EnvFile
{
    /// <summary>
    /// Reads an env file from disk (any encoding the environment-file reader accepts) as the variables of
    /// <c>--env-file</c>; problems go to <paramref name="diagnostics"/> and give an empty result.
    /// </summary>
    public static Dictionary<string, string> ReadVariables(string path, DiagnosticBag diagnostics)
    {
        if (!File.Exists(path))
        {
            diagnostics.Error(DiagnosticCodes.File, "", $"the env file '{path}' does not exist", null);
            return [];
        }

        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Yaml.YamlTreeBuilder.Decode(File.ReadAllBytes(path), path, diagnostics) is { } text)
        {
            // A name given twice takes its last value, as Docker Compose reads env files.
            foreach (var (name, value) in Parse(text, path, diagnostics, VariableSource.Empty))
            {
                variables[name] = value;
            }
        }

        return variables;
    }

    public static List<KeyValuePair<string, string>> Parse(string text, string file, DiagnosticBag diagnostics, VariableSource host)
    {
        var values = new List<KeyValuePair<string, string>>();
        if (text.StartsWith('\uFEFF'))
        {
            text = text[1..];
        }

        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r').TrimStart();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? line : line[..equals];
            var location = new SourceLocation(file, i + 1, 1);
            if (name.Length == 0)
            {
                diagnostics.Error(DiagnosticCodes.File, "", $"line {i + 1} of the env file has no variable name before '='", location);
                continue;
            }

            if (name.Any(char.IsWhiteSpace))
            {
                diagnostics.Error(DiagnosticCodes.File, "", $"the variable name '{name}' contains whitespace; write NAME=value with no spaces around '=' and no 'export'", location);
                continue;
            }

            if (equals >= 0)
            {
                values.Add(new(name, line[(equals + 1)..]));
            }
            else if (host.TryGet(name, out var fromHost))
            {
                values.Add(new(name, fromHost));
            }
        }

        return values;
    }
}
