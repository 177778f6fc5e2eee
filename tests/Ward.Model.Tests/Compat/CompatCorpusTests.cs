using System.Diagnostics;
using System.Text;
using Ward.Model.Compose;
using Ward.Model.Reading;

namespace Ward.Model.Tests.Compat;

/// <summary>
/// The compatibility corpus (tests/compat): every file goes through the real <c>docker stack config -c</c> and through
/// Ward. Ward must read a file exactly when the CLI accepts it (exit 0), and the folder (accepted/ or refused/) must
/// say what the CLI does, so the corpus checks itself. Variables a file needs are in a sidecar NAME.env, given to both
/// as the whole process environment (with PATH and HOME), as in docs/reference/stack-config-behaviour.md.
/// </summary>
public sealed class CompatCorpusTests
{
    private static readonly string Corpus = Path.Combine(RepositoryRoot(), "tests", "compat");

    public static TheoryData<string> Files() => [.. CorpusFiles()];

    private static IEnumerable<string> CorpusFiles() =>
        from folder in new[] { "accepted", "refused" }
        from file in Directory.EnumerateFiles(Path.Combine(Corpus, folder)).Order(StringComparer.Ordinal)
        where file.EndsWith(".yml", StringComparison.Ordinal) || file.EndsWith(".yaml", StringComparison.Ordinal)
        select $"{folder}/{Path.GetFileName(file)}";

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Ward_reads_a_file_exactly_when_the_docker_cli_accepts_it(string name)
    {
        var file = Path.Combine(Corpus, name);
        var environment = Environment(file);
        var (exitCode, stderr) = await RunCli(file, environment);
        var cliAccepts = exitCode == 0;
        var result = EnvironmentFileReader.Read(file, new ReaderOptions { Variables = new VariableSource(environment) }, name);
        var wardReads = result.Spec is not null;
        var expectedFolder = cliAccepts ? "accepted" : "refused";
        var diagnostics = result.Diagnostics.Count == 0 ? "  (none)" : string.Join("\n", result.Diagnostics.Select(d => $"  {d}"));
        var report = $"{name}\n  docker stack config: exit {exitCode}{(stderr.Length > 0 ? $": {stderr.Trim()}" : "")}\n  Ward: {(wardReads ? "reads it" : "refuses it")}\n{diagnostics}";

        Assert.True(name.StartsWith(expectedFolder + "/", StringComparison.Ordinal), $"the file is in the wrong folder: the CLI {(cliAccepts ? "accepts" : "refuses")} it.\n{report}");
        Assert.True(wardReads == cliAccepts, $"Ward and the CLI disagree.\n{report}");
    }

    [Fact]
    public void The_corpus_has_realistic_stacks_of_every_version_and_many_edge_cases()
    {
        var files = CorpusFiles().ToList();
        var stacks = files.Where(f => Path.GetFileName(f).StartsWith("stack-", StringComparison.Ordinal)).ToList();
        var edges = files.Where(f => Path.GetFileName(f).StartsWith("edge-", StringComparison.Ordinal)).ToList();
        Assert.True(stacks.Count >= 25, $"{stacks.Count} realistic stacks; the corpus needs at least 25");
        Assert.True(edges.Count >= 40, $"{edges.Count} edge cases; the corpus needs at least 40");
        Assert.Contains(edges, f => f.StartsWith("accepted/", StringComparison.Ordinal));
        Assert.Contains(edges, f => f.StartsWith("refused/", StringComparison.Ordinal));

        var versions = stacks.Select(f => File.ReadLines(Path.Combine(Corpus, f)).FirstOrDefault(l => l.StartsWith("version:", StringComparison.Ordinal)))
            .OfType<string>()
            .Select(l => l["version:".Length..].Trim().Trim('"', '\''))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var minor in Enumerable.Range(0, 14))
        {
            Assert.Contains($"3.{minor}", versions);
        }
    }

    /// <summary>PATH and HOME as the CLI needs them, plus the sidecar's variables; nothing else from this process.</summary>
    private static Dictionary<string, string> Environment(string file)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
            ["HOME"] = Home.Value,
        };
        var sidecar = Path.ChangeExtension(file, ".env");
        if (File.Exists(sidecar))
        {
            foreach (var line in File.ReadAllLines(sidecar).Where(l => l.Length > 0 && !l.StartsWith('#')))
            {
                var equals = line.IndexOf('=', StringComparison.Ordinal);
                environment[line[..equals]] = line[(equals + 1)..];
            }
        }

        return environment;
    }

    // An empty home, so that no docker configuration of the machine (contexts, plugins) changes what the CLI does.
    private static readonly Lazy<string> Home = new(() => Directory.CreateTempSubdirectory("ward-compat-home-").FullName);

    private static readonly Lazy<string?> Cli = new(FindCli);

    private static string? FindCli()
    {
        if (File.Exists("/usr/local/bin/docker"))
        {
            return "/usr/local/bin/docker";
        }

        return (System.Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "docker"))
            .FirstOrDefault(File.Exists);
    }

    private static async Task<(int ExitCode, string Stderr)> RunCli(string file, IReadOnlyDictionary<string, string> environment)
    {
        var cli = Cli.Value;
        Assert.True(cli is not null, "no docker CLI found (looked for /usr/local/bin/docker, then docker on PATH): the compatibility corpus needs the real CLI (28.2.2) and must not be skipped");
        var start = new ProcessStartInfo(cli!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = Path.GetDirectoryName(file)!,
        };
        start.ArgumentList.Add("stack");
        start.ArgumentList.Add("config");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(file);
        start.Environment.Clear();
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var cancel = TestContext.Current.CancellationToken;
        var stdout = process.StandardOutput.ReadToEndAsync(cancel);
        var stderr = process.StandardError.ReadToEndAsync(cancel);
        await process.WaitForExitAsync(cancel);
        await stdout;
        var errors = await stderr;
        Assert.False(errors.Contains("unknown shorthand flag", StringComparison.Ordinal) || errors.Contains("is not a docker command", StringComparison.Ordinal),
            $"the docker CLI at {cli} has no 'stack config -c' (it needs Docker CLI 20.10 or later; the reference is 28.2.2): {errors}");
        return (process.ExitCode, errors);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Ward.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Ward.slnx above {AppContext.BaseDirectory}");
    }
}
