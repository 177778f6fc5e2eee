namespace Ward.Model.Compose;

/// <summary>
/// Host paths as the Docker CLI's compose loader treats them (docker/cli cli/compose/loader: resolveVolumePaths,
/// expandUser, absPath), with Go's path rules rather than .NET's: a bind source is kept exactly as written when it is
/// absolute (Unix or Windows form), and otherwise joined to the working directory and cleaned (so <c>./logs/</c>
/// loses its trailing slash but <c>/abs/logs/</c> keeps it). A leading <c>~</c> is replaced by HOME as written
/// (<c>~user/x</c> with HOME=/root gives <c>/rootuser/x</c>); without HOME the CLI warns and the path is relative.
/// </summary>
public static class HostPaths
{
    /// <summary>The source of a bind mount as <c>docker stack deploy</c> sends it to the engine.</summary>
    /// <param name="source">The source as the file gives it (after interpolation).</param>
    /// <param name="workingDirectory">The directory of the environment file.</param>
    /// <param name="lookupVariable">The deploying process's variables: null when unset, "" when set empty.</param>
    public static string ResolveBindSource(string source, string workingDirectory, Func<string, string?> lookupVariable)
    {
        var path = source;
        if (DependsOnHome(path) && lookupVariable("HOME") is { } home)
        {
            path = string.Concat(home, path.AsSpan(1));
        }

        return IsAbsolute(path) ? path : Join(workingDirectory, path);
    }

    /// <summary>Whether the path starts with <c>~</c>, which the CLI replaces by the deploying user's HOME.</summary>
    public static bool DependsOnHome(string source) => source.StartsWith('~');

    /// <summary>Absolute on Unix (<c>/x</c>) or on Windows (<c>C:\x</c>, <c>\\server\share\x</c>): the CLI leaves such a path alone.</summary>
    public static bool IsAbsolute(string path) => path.StartsWith('/') || IsWindowsAbsolute(path);

    /// <summary>
    /// A Windows absolute path: a drive letter with a separator after it, or a UNC path. A Linux engine refuses such a
    /// bind source ("invalid bind mount source, must be an absolute path") when it starts the task.
    /// </summary>
    public static bool IsWindowsAbsolute(string path)
    {
        if (path.Length >= 3 && char.IsAsciiLetter(path[0]) && path[1] == ':' && IsSlash(path[2]))
        {
            return true;
        }

        // \\server\share\...: the volume name is \\server\share, and something must follow it.
        if (path.Length < 5 || !IsSlash(path[0]) || !IsSlash(path[1]) || IsSlash(path[2]) || path[2] == '.')
        {
            return false;
        }

        var serverEnd = IndexOfSlash(path, 3);
        if (serverEnd < 0 || serverEnd + 1 >= path.Length || IsSlash(path[serverEnd + 1]) || path[serverEnd + 1] == '.')
        {
            return false;
        }

        var shareEnd = IndexOfSlash(path, serverEnd + 1);
        return shareEnd >= 0;
    }

    /// <summary>Go's <c>path.Join</c>: the non-empty elements joined with '/', then cleaned.</summary>
    public static string Join(string first, string second) =>
        first.Length == 0 ? Clean(second) : second.Length == 0 ? Clean(first) : Clean(first + "/" + second);

    /// <summary>
    /// Go's <c>path.Clean</c>: one '/' between elements, no '.' elements, '..' resolved against the element before it
    /// (and dropped at the root), no trailing '/', and "." for nothing.
    /// </summary>
    public static string Clean(string path)
    {
        if (path.Length == 0)
        {
            return ".";
        }

        var rooted = path[0] == '/';
        var kept = new List<string>();
        foreach (var element in path.Split('/'))
        {
            switch (element)
            {
                case "" or ".":
                    break;
                case ".." when kept.Count > 0 && kept[^1] != "..":
                    kept.RemoveAt(kept.Count - 1);
                    break;
                case ".." when rooted:
                    break;
                default:
                    kept.Add(element);
                    break;
            }
        }

        var joined = string.Join('/', kept);
        return rooted ? "/" + joined : joined.Length == 0 ? "." : joined;
    }

    private static bool IsSlash(char c) => c is '/' or '\\';

    private static int IndexOfSlash(string text, int from)
    {
        for (var i = from; i < text.Length; i++)
        {
            if (IsSlash(text[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
