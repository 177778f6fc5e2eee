namespace Ward.Model.Diagnostics;

/// <summary>
/// A problem found while reading an environment file. Diagnostics are values: the reader collects all of
/// them instead of stopping at the first, so the user fixes everything in one pass.
/// </summary>
/// <param name="Code">Stable identifier, e.g. <c>WARD-YAML</c>, <c>WARD-SCHEMA</c> or a rule id such as <c>CMP-002</c>.</param>
/// <param name="Severity">Error diagnostics mean the file cannot be read.</param>
/// <param name="Path">Dotted path of the value, e.g. <c>x-ward.nodes[1].size</c>; empty for the whole file.</param>
/// <param name="Message">What was found and what is allowed.</param>
/// <param name="Location">Where in the file, when known.</param>
public sealed record Diagnostic(string Code, Severity Severity, string Path, string Message, SourceLocation? Location)
{
    /// <summary>
    /// True when the file cannot be read because of this (the reference CLI refuses it too). An error-level
    /// diagnostic that does not block reading is a finding: the file reads, but the deploy would fail.
    /// </summary>
    public bool BlocksReading { get; init; } = Severity == Severity.Error;

    public override string ToString()
    {
        var where = Location is { } l ? $"{l}: " : "";
        var path = Path.Length > 0 ? $" {Path}:" : "";
        return $"{where}{Severity.ToString().ToLowerInvariant()} {Code}:{path} {Message}";
    }
}
