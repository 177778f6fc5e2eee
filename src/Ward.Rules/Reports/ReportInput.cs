using Ward.Model.Diagnostics;

namespace Ward.Rules.Reports;

/// <summary>What every report shows: the file, the environment, and the outcome of the check.</summary>
public sealed record ReportInput(string File, string EnvironmentName, CheckResult Result)
{
    /// <summary>False when the file could not be read: the findings are then the reader's errors.</summary>
    public bool Readable { get; init; } = true;

    public static string SeverityWord(Severity severity) => severity switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "info",
    };
}
