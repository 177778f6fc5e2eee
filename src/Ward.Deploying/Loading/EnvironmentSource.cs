using Ward.Model.Reading;

namespace Ward.Deploying.Loading;

/// <summary>
/// Where an environment file comes from: a path on disk (the CLI) or content held elsewhere (the server's store).
/// Relative references in the file (secret and config sources, env files, bind mounts) resolve against
/// <see cref="Directory"/>.
/// </summary>
public sealed class EnvironmentSource
{
    private readonly string? _path;
    private readonly byte[]? _content;

    private EnvironmentSource(string fileName, string directory, string? path, byte[]? content)
    {
        FileName = fileName;
        Directory = directory;
        _path = path;
        _content = content;
    }

    /// <summary>How messages name the file.</summary>
    public string FileName { get; }

    public string Directory { get; }

    public static EnvironmentSource OnDisk(string path) =>
        new(path, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", path, null);

    public static EnvironmentSource InMemory(string fileName, byte[] content, string directory) =>
        new(fileName, directory, null, content);

    internal ReadResult Read(ReaderOptions options) => _path is not null
        ? EnvironmentFileReader.Read(_path, options)
        : EnvironmentFileReader.ReadBytes(_content!, FileName, Directory, options);
}
