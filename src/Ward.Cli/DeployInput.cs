using Ward.Engine.Desired;
using Ward.Engine.Ports;
using Ward.Engine.Planning;
using Ward.Model.Catalog;
using Ward.Model.Diagnostics;
using Ward.Model.Spec;
using Ward.Rules;
using Ward.Rules.Reports;

namespace Ward.Cli;

/// <summary>An environment file made ready to deploy: read, checked, and turned into Swarm objects.</summary>
internal sealed record DeployInput(string File, EnvironmentSpec Spec, SizeCatalog Catalog, CheckResult Check, IReadOnlyList<DesiredObject> Desired, IReadOnlyList<DesiredNode> Nodes)
{
    /// <summary>Reads and checks the file; on failure prints why and returns the exit code instead.</summary>
    public static (DeployInput? Input, int ExitCode) Load(string file, string? envFile, string? catalogFile)
    {
        var (read, catalog) = EnvironmentInput.Read(file, envFile, catalogFile);
        if (read.Spec is not { } spec)
        {
            Console.Error.WriteLine($"ward: {file} cannot be read:");
            foreach (var diagnostic in read.Diagnostics.Where(d => d.BlocksReading))
            {
                Console.Error.WriteLine($"  {diagnostic}");
            }

            Console.Error.WriteLine("Run `ward check` on it for details.");
            return (null, ExitCodes.InvalidInput);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(file))!;
        var context = new RuleContext(spec, catalog, spec.Kind, TimeProvider.System.GetUtcNow())
        {
            ReaderDiagnostics = read.Diagnostics,
            Files = new DirectorySideFiles(directory),
        };
        var check = Checker.Run(context, useWaivers: true, read.Locate);
        try
        {
            var converter = new StackConverter(directory, Environment.GetEnvironmentVariable, path => System.IO.File.Exists(path) ? System.IO.File.ReadAllBytes(path) : null);
            var desired = converter.Convert(spec);
            var nodes = spec.Nodes.Select(n => new DesiredNode(
                n.Name,
                n.Address,
                n.Labels,
                n.Availability.ToString().ToLowerInvariant(),
                n.Role.ToString().ToLowerInvariant())).ToList();
            return (new DeployInput(file, spec, catalog, check, desired, nodes), ExitCodes.Ok);
        }
        catch (DesiredStateException e)
        {
            Console.Error.WriteLine($"ward: {file}: {e.Message}");
            return (null, ExitCodes.InvalidInput);
        }
    }

    /// <summary>The readiness gate: production with error-level findings is refused unless forced.</summary>
    public bool PassesGate(bool force)
    {
        if (Spec.Kind != EnvironmentKind.Production || !Check.HasErrors)
        {
            return true;
        }

        var errors = Check.Findings.Where(f => f.Severity == Severity.Error && !f.Waived).ToList();
        Console.Error.WriteLine($"ward: {Spec.Name} is a production environment with {errors.Count} error-level finding(s):");
        foreach (var finding in errors)
        {
            Console.Error.WriteLine($"  {finding.Rule}  {finding.Path}  {finding.Message}");
        }

        if (force)
        {
            Console.Error.WriteLine("ward: --force given: applying anyway");
            return true;
        }

        Console.Error.WriteLine("Fix them (ward check explains each), waive them with a reason, or apply with --force.");
        return false;
    }

    public static string Summary(CheckResult check) => new TextReport(TextWriter.Null, color: false).SummaryLine(check);
}
