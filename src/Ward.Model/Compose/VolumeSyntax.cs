using Ward.Model.Spec;

namespace Ward.Model.Compose;

/// <summary>
/// Reads a service volume in short syntax, <c>[source:]target[:options]</c>, as the Docker CLI does: a source that
/// starts with '.', '/', '~', '\\' or a drive letter is a host path (a bind mount), any other source a named volume,
/// and a lone field (or one of one or two characters) is the target of an anonymous volume. Options ro, rw,
/// nocopy and the propagation modes are read; others (z, Z, cached, ...) are accepted and ignored, as the CLI does.
/// </summary>
public static class VolumeSyntax
{
    public static bool TryParse(string text, out MountSpec? mount, out string? error)
    {
        mount = null;
        error = null;
        if (text.Length == 0)
        {
            error = "an empty volume entry; write [source:]target[:options]";
            return false;
        }

        var parts = text.Length <= 2 ? [text] : Split(text);
        if (parts.Count > 3)
        {
            error = $"the volume '{text}' has too many colons; write [source:]target[:options]";
            return false;
        }

        if (parts.Any(p => p.Length == 0))
        {
            error = $"the volume '{text}' has an empty section between colons";
            return false;
        }

        string? source = parts.Count >= 2 ? parts[0] : null;
        var target = parts.Count >= 2 ? parts[1] : parts[0];
        var readOnly = false;
        var noCopy = false;
        string? propagation = null;
        if (parts.Count == 3)
        {
            foreach (var option in parts[2].Split(','))
            {
                switch (option)
                {
                    case "ro":
                        readOnly = true;
                        break;
                    case "rw":
                        readOnly = false;
                        break;
                    case "nocopy":
                        noCopy = true;
                        break;
                    case "shared" or "rshared" or "slave" or "rslave" or "private" or "rprivate":
                        propagation = option;
                        break;
                }
            }
        }

        mount = new MountSpec
        {
            Type = source is not null && IsHostPath(source) ? MountType.Bind : MountType.Volume,
            Source = source,
            Target = target,
            ReadOnly = readOnly,
            NoCopy = noCopy,
            Propagation = propagation,
        };
        return true;
    }

    /// <summary>Host paths: relative ('.'), absolute ('/'), home ('~'), UNC ('\\') or a Windows drive ("C:").</summary>
    public static bool IsHostPath(string source) =>
        source.Length > 0 && (source[0] is '.' or '/' or '~' || source.StartsWith(@"\\", StringComparison.Ordinal) || IsDrive(source, 0));

    private static bool IsDrive(string text, int at) =>
        text.Length > at + 1 && char.IsAsciiLetter(text[at]) && text[at + 1] == ':' && (at == 0 || text[at - 1] == ':');

    /// <summary>Splits on ':' but keeps a drive letter ("C:") with the path after it.</summary>
    private static List<string> Split(string text)
    {
        var parts = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != ':')
            {
                continue;
            }

            if (i == start + 1 && char.IsAsciiLetter(text[start]))
            {
                continue;
            }

            parts.Add(text[start..i]);
            start = i + 1;
        }

        parts.Add(text[start..]);
        return parts;
    }
}
