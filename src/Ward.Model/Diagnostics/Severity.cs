namespace Ward.Model.Diagnostics;

/// <summary>How much a diagnostic or finding matters. Maps one-to-one to SARIF error/warning/note.</summary>
public enum Severity
{
    Info = 0,
    Warning = 1,
    Error = 2,
}
