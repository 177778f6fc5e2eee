namespace Ward.Rules;

/// <summary>Files the environment refers to (secret and config sources), read relative to the environment file.</summary>
public interface ISideFiles
{
    /// <summary>The file's size in bytes, or null when it does not exist.</summary>
    long? Size(string path);

    /// <summary>The file's text (at most <paramref name="maxBytes"/>), or null when it does not exist.</summary>
    string? ReadText(string path, int maxBytes);
}

/// <summary>Side files on disk, relative to the environment file's directory.</summary>
public sealed class DirectorySideFiles(string directory) : ISideFiles
{
    public long? Size(string path)
    {
        var info = new FileInfo(Resolve(path));
        return info.Exists ? info.Length : null;
    }

    public string? ReadText(string path, int maxBytes)
    {
        var full = Resolve(path);
        if (!File.Exists(full))
        {
            return null;
        }

        using var stream = File.OpenRead(full);
        var buffer = new byte[Math.Min(maxBytes, (int)Math.Min(stream.Length, int.MaxValue))];
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        return System.Text.Encoding.UTF8.GetString(buffer, 0, read);
    }

    // As docker stack deploy reads a secret or config file: relative to the file's directory, ~ included (the CLI
    // expands ~ in bind sources only: "~/s.txt" is the file s.txt in a folder named ~ there).
    private string Resolve(string path) => Path.GetFullPath(Path.Combine(directory, path));
}
