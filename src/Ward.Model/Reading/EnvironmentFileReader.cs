using Ward.Model.Compose;
using Ward.Model.Compose.Schema;
using Ward.Model.Diagnostics;
using Ward.Model.Spec;
using Ward.Model.Yaml;

namespace Ward.Model.Reading;

/// <summary>
/// Reads an environment file as <c>docker stack deploy -c</c> reads a stack file (compose format 3.0-3.13), plus
/// Ward's <c>x-ward</c> section. It reports every problem at once, each with file, line, column and path, and
/// never throws for anything a file can contain.
/// </summary>
public static class EnvironmentFileReader
{
    // Deeply nested files recurse deeply; the CLI accepts nesting up to ~10,000 levels, so reading runs on its own large stack.
    private const int ReaderStackBytes = 256 * 1024 * 1024;

    private static readonly string[] SupportedVersions = [.. Enumerable.Range(0, 14).Select(minor => $"3.{minor}")];

    /// <summary>Reads the file at <paramref name="path"/>; <paramref name="displayPath"/> is how messages name it.</summary>
    public static ReadResult Read(string path, ReaderOptions options, string? displayPath = null)
    {
        var shown = displayPath ?? path;
        var diagnostics = new DiagnosticBag();
        var bytes = ReadBytes(path, shown, diagnostics);
        if (bytes is null)
        {
            return new ReadResult(shown, null, diagnostics.Items, null);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        return ReadBytes(bytes, shown, directory, options);
    }

    /// <summary>Reads file content already in memory; relative paths in it resolve against <paramref name="directory"/>.</summary>
    public static ReadResult ReadBytes(byte[] bytes, string file, string directory, ReaderOptions options)
    {
        ReadResult? result = null;
        var thread = new Thread(() => result = RunGuarded(bytes, file, directory, options), ReaderStackBytes) { Name = "ward-reader" };
        thread.Start();
        thread.Join();
        return result!;
    }

    private static byte[]? ReadBytes(string path, string shown, DiagnosticBag diagnostics)
    {
        try
        {
            if (Directory.Exists(path))
            {
                diagnostics.Error(DiagnosticCodes.File, "", $"'{shown}' is a directory; give the environment file inside it", null);
                return null;
            }

            var info = new FileInfo(path);
            if (!info.Exists)
            {
                diagnostics.Error(DiagnosticCodes.File, "", $"'{shown}' does not exist", null);
                return null;
            }

            if (info.Length > ReaderOptions.MaxFileBytes)
            {
                diagnostics.Error(DiagnosticCodes.File, "", $"'{shown}' is {ByteSize.Format(info.Length)}; an environment file may be at most {ByteSize.Format(ReaderOptions.MaxFileBytes)}", new SourceLocation(shown, 1, 1));
                return null;
            }

            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostics.Error(DiagnosticCodes.File, "", $"'{shown}' cannot be read: {e.Message}", null);
            return null;
        }
    }

    /// <summary>
    /// An exception on the reader's own thread would end the process, so a bug that a file triggers becomes a
    /// diagnostic instead (a file must never crash the caller).
    /// </summary>
    private static ReadResult RunGuarded(byte[] bytes, string file, string directory, ReaderOptions options)
    {
        try
        {
            return Run(bytes, file, directory, options);
        }
#pragma warning disable CA1031 // The point is to catch everything: the reader's contract is diagnostics, never exceptions.
        catch (Exception e)
#pragma warning restore CA1031
        {
            var diagnostics = new DiagnosticBag();
            diagnostics.Error(DiagnosticCodes.File, "", $"Ward could not read the file because of an internal error ({e.GetType().Name}: {e.Message}); please report it with the file", new SourceLocation(file, 1, 1));
            return new ReadResult(file, null, diagnostics.Items, null);
        }
    }

    private static ReadResult Run(byte[] bytes, string file, string directory, ReaderOptions options)
    {
        var diagnostics = new DiagnosticBag();
        if (bytes.LongLength > ReaderOptions.MaxFileBytes)
        {
            diagnostics.Error(DiagnosticCodes.File, "", $"the file is {ByteSize.Format(bytes.LongLength)}; an environment file may be at most {ByteSize.Format(ReaderOptions.MaxFileBytes)}", new SourceLocation(file, 1, 1));
            return new ReadResult(file, null, diagnostics.Items, null);
        }

        var text = YamlTreeBuilder.Decode(bytes, file, diagnostics);
        var root = text is null ? null : YamlTreeBuilder.Build(text, file, diagnostics);
        if (root is not YMapping rootMapping)
        {
            if (!diagnostics.HasErrors)
            {
                var found = root is null ? "an empty document" : root.Describe();
                diagnostics.Error(DiagnosticCodes.Schema, "", $"the top level must be a mapping with keys such as version and services; found {found}", root?.Location ?? new SourceLocation(file, 1, 1));
            }

            return new ReadResult(file, null, diagnostics.Items, root);
        }

        var version = DetectVersion(rootMapping, diagnostics);
        var interpolator = new Interpolator(options.Variables);
        var tree = (YMapping)new TreeValidator(version, diagnostics, interpolator, decodesAsCli: true).Validate(rootMapping, ComposeSchema.Root, ModelPath.Root);
        var wardNode = tree.Get("x-ward");
        if (wardNode is not null)
        {
            // Already interpolated as an extension field; now checked against Ward's own shape.
            wardNode = new TreeValidator(version, diagnostics, null).Validate(wardNode, WardSectionSchema.Section, ModelPath.Root.Child("x-ward"));
        }

        // Bind even after schema errors: the binder tolerates bad values and finds the rest (unknown sizes, bad sizes in bytes...).
        var spec = Bind(tree, wardNode, version, file, directory, options, diagnostics);
        return new ReadResult(file, diagnostics.HasErrors ? null : spec, diagnostics.Items, tree);
    }

    /// <summary>
    /// The CLI reads the version before interpolation: absent, "" or "3" mean 3.13; it must be a quoted string.
    /// An unusable version is reported and the file is still checked against 3.13 so every other problem shows too.
    /// </summary>
    internal static ComposeVersion DetectVersion(YMapping root, DiagnosticBag diagnostics)
    {
        var entry = root.Find("version");
        if (entry is null)
        {
            return ComposeVersion.Latest;
        }

        var path = "version";
        if (entry.Value is not YScalar scalar || scalar.IsNull)
        {
            diagnostics.Error(DiagnosticCodes.Schema, path, $"the version must be a string such as \"3.8\"; found {entry.Value.Describe()}", entry.Value.Location);
            return ComposeVersion.Latest;
        }

        if (scalar.Kind != ScalarKind.String)
        {
            diagnostics.Error(DiagnosticCodes.Schema, path, $"the version must be a quoted string: write version: \"{scalar.Value}\"", scalar.Location);
            return ComposeVersion.Latest;
        }

        if (scalar.Value is "" or "3")
        {
            return ComposeVersion.Latest;
        }

        if (SupportedVersions.Contains(scalar.Value, StringComparer.Ordinal) && ComposeVersion.TryParse(scalar.Value, out var version))
        {
            return version;
        }

        diagnostics.Error(DiagnosticCodes.Schema, path, $"compose file version '{scalar.Value}' is not supported; docker stack deploy reads \"3.0\" to \"3.13\" (variables are not substituted in the version)", scalar.Location);
        return ComposeVersion.Latest;
    }

    internal static EnvironmentSpec Bind(YMapping tree, YNode? ward, ComposeVersion version, string file, string directory, ReaderOptions options, DiagnosticBag diagnostics)
    {
        var serviceBinder = new ServiceBinder(diagnostics);
        var services = tree.Get("services").Entries()
            .Select(e => WithEnvFiles(serviceBinder.Bind(e.Key, e.Value, ModelPath.Root.Child("services").Child(e.Key)), e.Value, directory, options, diagnostics))
            .ToValueList();
        var serviceNames = services.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var resources = new ResourceBinder(diagnostics, version);
        var wardBinder = new WardBinder(diagnostics, options.Catalog);
        var (name, kind) = wardBinder.Environment(ward);
        var nodes = wardBinder.Nodes(ward);
        var networks = resources.Networks(tree.Get("networks"));
        var volumes = resources.Volumes(tree.Get("volumes"));
        var databases = new DatabaseBinder(diagnostics, options.Catalog, new DatabaseBinder.FileFacts(
            services,
            nodes,
            volumes.Select(v => v.Key).ToHashSet(StringComparer.Ordinal),
            networks.Select(n => n.Key).ToHashSet(StringComparer.Ordinal)));
        return new EnvironmentSpec
        {
            Name = name ?? WardBinder.NameFromFile(file),
            Kind = kind ?? EnvironmentKind.Production,
            Version = version,
            HasWardSection = ward is not null,
            Services = services,
            Networks = networks,
            Volumes = volumes,
            Secrets = resources.Secrets(tree.Get("secrets")),
            Configs = resources.Configs(tree.Get("configs")),
            Nodes = nodes,
            Databases = databases.Bind(ward),
            Domains = wardBinder.Domains(ward, serviceNames),
            LoadBalancer = wardBinder.LoadBalancer(ward),
            Monitoring = new MonitoringBinder(diagnostics).Monitoring(ward),
            Alerts = new MonitoringBinder(diagnostics).Alerts(ward, tree.Get("secrets").Entries().Select(e => e.Key).ToHashSet(StringComparer.Ordinal)),
            Switchover = wardBinder.Switchover(ward),
            Waivers = wardBinder.Waivers(ward),
            Swarm = wardBinder.Swarm(ward),
        };
    }

    /// <summary>
    /// Reads the service's env files as the CLI does (a missing or malformed one refuses the file) and merges their
    /// variables under the service's own <c>environment</c>, which wins.
    /// </summary>
    private static ServiceSpec WithEnvFiles(ServiceSpec service, YNode node, string directory, ReaderOptions options, DiagnosticBag diagnostics)
    {
        if (service.EnvFiles.Count == 0)
        {
            return service;
        }

        var merged = new Dictionary<string, string?>(StringComparer.Ordinal);
        var order = new List<string>();
        var envFileNode = node.Get("env_file");
        foreach (var (envFile, index) in service.EnvFiles.Select((f, i) => (f, i)))
        {
            var location = (envFileNode is YSequence seq ? seq.Items[index] : envFileNode)?.Location;
            var fullPath = Path.GetFullPath(Path.Combine(directory, envFile));
            var path = ModelPath.Root.Child("services").Child(service.Name).Child("env_file").ToString();
            if (!File.Exists(fullPath))
            {
                diagnostics.Error(DiagnosticCodes.File, path, $"the env file '{envFile}' does not exist (looked for {fullPath})", location);
                continue;
            }

            var fileDiagnostics = new DiagnosticBag();
            var text = YamlTreeBuilder.Decode(File.ReadAllBytes(fullPath), envFile, fileDiagnostics);
            var values = text is null ? [] : EnvFile.Parse(text, envFile, fileDiagnostics, options.Variables);
            foreach (var diagnostic in fileDiagnostics.Items)
            {
                diagnostics.Add(diagnostic with { Path = path, Message = $"{envFile}: {diagnostic.Message}" });
            }

            foreach (var (key, value) in values)
            {
                if (merged.TryAdd(key, value))
                {
                    order.Add(key);
                }
                else
                {
                    merged[key] = value;
                }
            }
        }

        foreach (var (key, value) in service.Environment)
        {
            if (!merged.ContainsKey(key))
            {
                order.Add(key);
            }

            merged[key] = value;
        }

        return service with { Environment = new ValueMap<string?>(order.Select(k => new KeyValuePair<string, string?>(k, merged[k]))) };
    }
}
