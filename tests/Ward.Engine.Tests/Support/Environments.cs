using System.Text;
using System.Text.Json.Nodes;
using Ward.Engine.Desired;
using Ward.Engine.Ports;
using Ward.Model.Reading;
using Ward.Model.Spec;

namespace Ward.Engine.Tests.Support;

/// <summary>
/// Environment files for engine tests: written to a fresh directory (with any side files: env files, secret
/// contents, bind sources), read by the real reader and converted by the real converter.
/// </summary>
internal sealed class Environments : IDisposable
{
    private readonly Dictionary<string, string> _processEnvironment = new(StringComparer.Ordinal);

    public Environments()
    {
        Directory = Path.Combine(Path.GetTempPath(), "ward-engine-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <summary>The directory the environment file lives in: relative paths resolve against it.</summary>
    public string Directory { get; }

    /// <summary>Writes a side file (an env file, a secret's content...) next to the environment file.</summary>
    public Environments File(string name, string content)
    {
        var path = Path.Combine(Directory, name);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        return this;
    }

    /// <summary>A variable of the deploying process (for bare environment names and ~ in bind mounts).</summary>
    public Environments Variable(string name, string value)
    {
        _processEnvironment[name] = value;
        return this;
    }

    /// <summary>The file must read; returns its spec.</summary>
    public EnvironmentSpec Read(string yaml)
    {
        var result = EnvironmentFileReader.ReadBytes(Encoding.UTF8.GetBytes(yaml), "env.yml", Directory, new ReaderOptions());
        Assert.True(result.Spec is not null, "the environment file should read:\n" + string.Join("\n", result.Diagnostics));
        return result.Spec!;
    }

    public StackConverter Converter() => new(
        Directory,
        name => _processEnvironment.GetValueOrDefault(name),
        path => System.IO.File.Exists(path) ? System.IO.File.ReadAllBytes(path) : null);

    /// <summary>Reads and converts a file: every object docker stack deploy would create for it.</summary>
    public IReadOnlyList<DesiredObject> Convert(string yaml) => Converter().Convert(Read(yaml));

    /// <summary>The converted spec of one service (by its key in the file).</summary>
    public JsonObject Service(string yaml, string key = "web")
    {
        var spec = Read(yaml);
        var name = StackNames.Scoped(spec.Name, key);
        return Converter().Convert(spec).Single(o => o.Kind == ObjectKind.Service && o.Name == name).Spec;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    /// <summary>A file of one environment named <paramref name="name"/> with the given top-level YAML.</summary>
    public static string Yaml(string name, string body) =>
        $"version: \"3.13\"\nx-ward:\n  environment:\n    name: {name}\n    kind: staging\n{body}";
}
