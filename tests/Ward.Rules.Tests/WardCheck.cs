using Ward.Model.Catalog;
using Ward.Model.Diagnostics;
using Ward.Model.Reading;
using Ward.Model.Spec;
using Ward.Rules.Reports;

namespace Ward.Rules.Tests;

/// <summary>What one check produced: the reader's result, the checker's result and the input of the reports.</summary>
internal sealed record Outcome(ReadResult Read, CheckResult Result, ReportInput Report);

/// <summary>
/// <c>ward check</c> as src/Ward.Cli/Commands/CheckCommand.cs wires it: read the file, and either turn the reader's
/// diagnostics into findings (an unreadable file) or build the rule context (reader diagnostics, side files next to
/// the file, the profile) and run the checker. Two differences keep tests repeatable: time is fixed, and variables
/// come from the test (none by default) instead of the process environment.
/// </summary>
internal static class WardCheck
{
    /// <summary>The "now" of every test: a day before the samples' restore rehearsal, a week before their switchover.</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    public static Outcome Run(
        string file,
        EnvironmentKind? profile = null,
        bool useWaivers = true,
        ILiveFacts? live = null,
        RuleOptions? options = null,
        IEnumerable<IRule>? rules = null,
        IReadOnlyDictionary<string, string>? variables = null)
    {
        var shown = Path.IsPathRooted(file) && file.StartsWith(Repository.Root, StringComparison.Ordinal) ? Repository.Display(file) : file;
        var readerOptions = new ReaderOptions
        {
            Catalog = SizeCatalog.BuiltIn,
            Variables = new Model.Compose.VariableSource(variables ?? new Dictionary<string, string>()),
        };
        var read = EnvironmentFileReader.Read(file, readerOptions, shown);
        if (read.Spec is not { } spec)
        {
            // As CheckCommand does: the reader's errors, in the reports' shape, and nothing else is checked.
            var unreadable = new CheckResult(
                [.. read.Diagnostics.OrderBy(d => d.Location?.Line ?? 0).ThenBy(d => d.Location?.Column ?? 0).Select(ToFinding)],
                [],
                EnvironmentKind.Production);
            return new Outcome(read, unreadable, new ReportInput(shown, Path.GetFileName(shown), unreadable) { Readable = false });
        }

        var context = new RuleContext(spec, SizeCatalog.BuiltIn, profile ?? spec.Kind, Now, options)
        {
            ReaderDiagnostics = read.Diagnostics,
            Files = new DirectorySideFiles(Path.GetDirectoryName(Path.GetFullPath(file))!),
            Live = live,
        };
        var result = Checker.Run(context, useWaivers, read.Locate, rules);
        return new Outcome(read, result, new ReportInput(shown, spec.Name, result));
    }

    /// <summary>Checks YAML text written to a temporary file (deleted afterwards).</summary>
    public static Outcome RunText(string yaml, EnvironmentKind? profile = null, bool useWaivers = true, ILiveFacts? live = null, RuleOptions? options = null)
    {
        var directory = Directory.CreateTempSubdirectory("ward-rules-tests-");
        try
        {
            var file = Path.Combine(directory.FullName, "environment.yaml");
            File.WriteAllText(file, yaml);
            return Run(file, profile, useWaivers, live, options);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static Finding ToFinding(Diagnostic diagnostic) => new()
    {
        Rule = diagnostic.Code,
        Severity = diagnostic.Severity,
        Path = diagnostic.Path,
        Message = diagnostic.Message,
        Location = diagnostic.Location,
    };
}
