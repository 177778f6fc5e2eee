using Ward.Model.Diagnostics;

namespace Ward.Rules.Reports;

/// <summary>
/// The human report: findings grouped by severity, each with where it is, what is wrong, why it matters and
/// how to fix it; then a summary line. Colour only when asked (a terminal without NO_COLOR).
/// </summary>
public sealed class TextReport(TextWriter output, bool color)
{
    private const string Reset = "\e[0m";
    private const string Bold = "\e[1m";
    private const string Dim = "\e[2m";
    private const string Red = "\e[31m";
    private const string Yellow = "\e[33m";
    private const string Cyan = "\e[36m";
    private const string Green = "\e[32m";

    /// <summary>When false, each finding is one line (the why and fix are left out).</summary>
    public bool Verbose { get; init; } = true;

    public void Write(ReportInput input)
    {
        var result = input.Result;
        if (!input.Readable)
        {
            output.WriteLine($"{Paint(Bold, input.File)}: the file could not be read");
            WriteGroup("Errors", result.Findings.Where(f => f.Severity == Severity.Error).ToList());
            WriteGroup("Warnings", result.Findings.Where(f => f.Severity == Severity.Warning).ToList());
            WriteGroup("Info", result.Findings.Where(f => f.Severity == Severity.Info).ToList());
            output.WriteLine();
            output.WriteLine(Paint(Red + Bold, $"✗ {Plural(result.Summary.Errors, "error")}: fix them and check again (nothing else was checked)"));
            return;
        }

        output.WriteLine($"{Paint(Bold, input.EnvironmentName)} ({result.Profile.ToString().ToLowerInvariant()}) {Paint(Dim, input.File)}");
        WriteGroup("Errors", result.Findings.Where(f => !f.Waived && f.Severity == Severity.Error).ToList());
        WriteGroup("Warnings", result.Findings.Where(f => !f.Waived && f.Severity == Severity.Warning).ToList());
        WriteGroup("Info", result.Findings.Where(f => !f.Waived && f.Severity == Severity.Info).ToList());
        WriteGroup("Waived", result.Findings.Where(f => f.Waived).ToList());
        if (result.NotChecked.Count > 0)
        {
            output.WriteLine();
            output.WriteLine(Paint(Dim, "Not checked: " + string.Join("; ", result.NotChecked.Select(n => $"{n.Rule} ({n.Reason})"))));
        }

        output.WriteLine();
        output.WriteLine(SummaryLine(result));
    }

    public string SummaryLine(CheckResult result)
    {
        var s = result.Summary;
        var counts = $"{Plural(s.Errors, "error")}, {Plural(s.Warnings, "warning")}, {s.Info} info";
        if (s.Waived > 0)
        {
            counts += $", {s.Waived} waived";
        }

        return result.HasErrors
            ? Paint(Red + Bold, $"✗ {counts}: not ready for {result.Profile.ToString().ToLowerInvariant()}")
            : Paint(Green + Bold, $"✓ {counts}: ready for {result.Profile.ToString().ToLowerInvariant()}");
    }

    private void WriteGroup(string title, List<Finding> findings)
    {
        if (findings.Count == 0)
        {
            return;
        }

        output.WriteLine();
        output.WriteLine(Paint(Bold, $"{title} ({findings.Count})"));
        foreach (var finding in findings)
        {
            WriteFinding(finding);
        }
    }

    private void WriteFinding(Finding finding)
    {
        var (word, paint) = finding.Severity switch
        {
            Severity.Error => ("error", Red),
            Severity.Warning => ("warning", Yellow),
            _ => ("info", Cyan),
        };
        var where = finding.Location is { } l ? $"{l.File}:{l.Line}:{l.Column}" : "";
        output.WriteLine($"  {Paint(paint + Bold, $"{word,-7}")} {Paint(Bold, finding.Rule)}  {finding.Path}  {Paint(Dim, where)}");
        output.WriteLine($"          {finding.Message}");
        if (finding.Waived)
        {
            output.WriteLine($"          {Paint(Dim, $"waived: {finding.WaiverReason}")}");
            return;
        }

        if (Verbose && RuleCatalog.Find(finding.Rule)?.Descriptor is { } descriptor)
        {
            output.WriteLine($"          {Paint(Dim, "why:")} {descriptor.Why}");
            output.WriteLine($"          {Paint(Dim, "fix:")} {Indent(descriptor.Fix)}");
        }
    }

    private static string Indent(string text) => text.Replace("\n", "\n               ", StringComparison.Ordinal);

    private static string Plural(int count, string word) => count == 1 ? $"1 {word}" : $"{count} {word}s";

    private string Paint(string style, string text) => color ? style + text + Reset : text;
}
