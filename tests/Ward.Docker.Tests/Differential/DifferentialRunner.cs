using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Ward.Docker.Tests.Support;
using Ward.Engine.Applying;
using Ward.Engine.Desired;
using Ward.Engine.Observing;
using Ward.Engine.Planning;
using Ward.Engine.Ports;
using Ward.Model.Catalog;
using Ward.Model.Compose;
using Ward.Model.Reading;
using Ward.Rules;

namespace Ward.Docker.Tests.Differential;

/// <summary>How one tool fared with a file: deployed (with what the swarm then held), refused before creating anything, or stopped part-way.</summary>
internal sealed record ToolOutcome(StackSnapshot? Deployed, string? Refused, string? StoppedPartWay)
{
    public string Describe() => Deployed is not null ? "deployed" : Refused is not null ? $"refused ({Refused})" : $"stopped part-way ({StoppedPartWay})";
}

/// <summary>One case: the file, how each tool fared, and every difference between them.</summary>
internal sealed record CaseOutcome(int Number, StackCase Case, ToolOutcome Ward, ToolOutcome Cli, IReadOnlyList<string> Differences, TimeSpan Elapsed)
{
    public bool Differs => Differences.Count > 0;

    /// <summary>A stable name for the case, from its content: the folder it is kept in when it differs.</summary>
    public string Name => "case-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Case.Yaml)))[..12];

    public override string ToString() =>
        $"{Name} (case {Number}): Ward {Ward.Describe()}, CLI {Cli.Describe()}" + (Differs ? $"\n  {string.Join("\n  ", Differences)}\n--- stack file\n{Case.Render(Number)}" : "");
}

/// <summary>What a differential run found.</summary>
internal sealed record DifferentialReport(IReadOnlyList<CaseOutcome> Cases, TimeSpan Elapsed)
{
    public IReadOnlyList<CaseOutcome> Differing => [.. Cases.Where(c => c.Differs)];

    public string Summary() =>
        $"{Cases.Count} cases in {Elapsed.TotalSeconds:0.0} s: {Differing.Count} with differences; both deployed {Cases.Count(c => c.Ward.Deployed is not null && c.Cli.Deployed is not null)}, both refused {Cases.Count(c => c.Ward.Refused is not null && c.Cli.Deployed is null)}";
}

/// <summary>
/// Deploys stack files with <c>docker stack deploy --resolve-image never</c> and with Ward in process (reader, the
/// checks that block deploys, StackConverter, Planner, Applier without waiting for convergence) on the same swarm, one
/// after the other, and compares the normalised specs field by field (<see cref="StackSnapshot"/>, the parity tests'
/// comparison). When the CLI refuses a file, Ward must refuse it too, before creating anything; and Ward must never
/// stop part-way. Nothing is scheduled: the generated files run no task.
/// </summary>
internal sealed class DifferentialRunner : IDisposable
{
    private readonly string _managerSocket;
    private readonly string _dockerCli;
    private readonly string _scratch;
    private readonly RawEngine _raw;
    private readonly DockerEngine _engine;

    public DifferentialRunner(string managerSocket, string dockerCli, string scratch)
    {
        (_managerSocket, _dockerCli, _scratch) = (managerSocket, dockerCli, scratch);
        _raw = new RawEngine(managerSocket);
        _engine = new DockerEngine(EngineEndpoint.Socket(managerSocket));
    }

    /// <summary>Creates the external network, secret and config the generated files may name, unless they exist.</summary>
    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        var existing = new HashSet<string>(StringComparer.Ordinal);
        foreach (var kind in new[] { "networks", "secrets", "configs" })
        {
            existing.UnionWith((await _raw.ListAsync(kind, cancellationToken)).Select(o => (o["Spec"]?["Name"] ?? o["Name"])!.GetValue<string>()));
        }

        var data = Convert.ToBase64String("external\n"u8.ToArray());
        foreach (var (kind, body) in new[]
                 {
                     ("networks", new JsonObject { ["Name"] = StackGenerators.ExternalNetwork, ["Driver"] = "overlay", ["Attachable"] = true }),
                     ("secrets", new JsonObject { ["Name"] = StackGenerators.ExternalSecret, ["Data"] = data }),
                     ("configs", new JsonObject { ["Name"] = StackGenerators.ExternalConfig, ["Data"] = data }),
                 })
        {
            if (!existing.Contains(body["Name"]!.GetValue<string>()))
            {
                await _raw.PostAsync($"{kind}/create", body, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Generates <paramref name="cases"/> stack files and runs each (<paramref name="threads"/> at a time, each case on
    /// its own names and ports). A case that differs is kept under <paramref name="keepIn"/> when given.
    /// </summary>
    public async Task<DifferentialReport> RunGeneratedAsync(int cases, int threads, int firstNumber, string? keepIn, Action<CaseOutcome>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var outcomes = new ConcurrentBag<CaseOutcome>();
        var next = firstNumber;
        await StackGenerators.Case.SampleAsync(
            async stackCase =>
            {
                var outcome = await RunAsync(stackCase, Interlocked.Increment(ref next), cancellationToken);
                outcomes.Add(outcome);
                if (outcome.Differs && keepIn is not null)
                {
                    stackCase.Save(Path.Combine(keepIn, outcome.Name));
                }

                progress?.Invoke(outcome);
            },
            iter: cases,
            threads: threads);
        return new DifferentialReport([.. outcomes.OrderBy(o => o.Number)], clock.Elapsed);
    }

    /// <summary>Deploys one file with both tools and compares; always leaves the swarm without either stack.</summary>
    public async Task<CaseOutcome> RunAsync(StackCase stackCase, int number, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var (wardStack, cliStack) = StackCase.StackNames(number);
        var folder = Path.Combine(_scratch, $"case-{number}");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        var file = stackCase.WriteTo(folder, number);
        var environment = stackCase.ProcessEnvironment();
        ToolOutcome ward, cli;
        try
        {
            ward = await WardAsync(file, environment, cancellationToken);
        }
        finally
        {
            // The CLI's stack may publish the same ports and name the same networks: Ward's goes first.
            await StackRemoval.RemoveAsync(_raw, wardStack, cancellationToken);
        }

        try
        {
            cli = await CliAsync(file, cliStack, environment, cancellationToken);
        }
        finally
        {
            await StackRemoval.RemoveAsync(_raw, cliStack, cancellationToken);
        }

        return new CaseOutcome(number, stackCase, ward, cli, Differences(ward, cli), clock.Elapsed);
    }

    private static List<string> Differences(ToolOutcome ward, ToolOutcome cli)
    {
        if (ward.StoppedPartWay is { } stopped)
        {
            return [$"Ward stopped part-way, after creating objects: {stopped}"];
        }

        return (ward, cli) switch
        {
            ({ Deployed: { } w }, { Deployed: { } c }) => StackSnapshot.Compare(w, c),
            ({ Deployed: not null }, _) => [$"the CLI did not deploy the file ({cli.Describe()}) but Ward did"],
            (_, { Deployed: not null }) => [$"Ward refused the file ({ward.Refused}) but the CLI deployed it"],
            _ => [],
        };
    }

    /// <summary>Ward in process, as <c>ward apply</c> does it, refusing before anything exists when the check finds a deploy blocker.</summary>
    private async Task<ToolOutcome> WardAsync(string file, Dictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var read = EnvironmentFileReader.Read(file, new ReaderOptions { Catalog = SizeCatalog.BuiltIn, Variables = new VariableSource(environment) }, file);
        if (read.Spec is not { } spec)
        {
            return new ToolOutcome(null, $"the file does not read: {string.Join("; ", read.Diagnostics.Where(d => d.BlocksReading))}", null);
        }

        var directory = Path.GetDirectoryName(file)!;
        var context = new RuleContext(spec, SizeCatalog.BuiltIn, spec.Kind, DateTimeOffset.UtcNow) { ReaderDiagnostics = read.Diagnostics, Files = new DirectorySideFiles(directory) };
        var blockers = DeployBlockers.Find(Checker.Run(context, useWaivers: true, read.Locate));
        if (blockers.Count > 0)
        {
            return new ToolOutcome(null, string.Join("; ", blockers.Select(f => $"{f.Rule} {f.Path}: {f.Message}")), null);
        }

        IReadOnlyList<DesiredObject> desired;
        try
        {
            desired = new StackConverter(directory, environment.GetValueOrDefault, path => File.Exists(path) ? File.ReadAllBytes(path) : null).Convert(spec);
        }
        catch (DesiredStateException e)
        {
            return new ToolOutcome(null, e.Message, null);
        }

        var plan = Planner.Make(spec.Name, desired, [], await StateReader.ReadAsync(_engine, spec.Name, cancellationToken), prune: false);
        var result = await new Applier(_engine, TimeProvider.System).ApplyAsync(plan, new ApplyOptions { AwaitConvergence = false }, SilentObserver.Instance, cancellationToken);
        return result.Outcome == ApplyOutcome.Applied
            ? new ToolOutcome(await StackSnapshot.ReadAsync(_raw, spec.Name, ward: true, cancellationToken), null, null)
            : new ToolOutcome(null, null, string.Join("; ", result.Problems));
    }

    /// <summary>docker stack deploy in a clean environment: only the case's variables (and PATH, and HOME when set).</summary>
    private async Task<ToolOutcome> CliAsync(string file, string stack, Dictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(_dockerCli)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(file)!,
        };
        start.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        foreach (var argument in new[] { "-H", "unix://" + _managerSocket, "stack", "deploy", "--resolve-image", "never", "-c", file, stack })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var text = (await output + await errors).Trim();
        return process.ExitCode == 0
            ? new ToolOutcome(await StackSnapshot.ReadAsync(_raw, stack, ward: false, cancellationToken), null, null)
            : new ToolOutcome(null, text.ReplaceLineEndings(" "), null);
    }

    public void Dispose()
    {
        _raw.Dispose();
        _engine.Dispose();
    }
}
