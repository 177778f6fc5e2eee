namespace Ward.Model.Diagnostics;

/// <summary>The stable codes of reader diagnostics. Rule ids (NODE-001, ...) are used for rule findings.</summary>
public static class DiagnosticCodes
{
    /// <summary>The file could not be opened or is too large.</summary>
    public const string File = "WARD-FILE";

    /// <summary>The text is not well-formed YAML (or not UTF-8, or an excessive alias expansion).</summary>
    public const string Yaml = "WARD-YAML";

    /// <summary>A value has the wrong type or is not allowed by the compose format.</summary>
    public const string Schema = "WARD-SCHEMA";

    /// <summary>A <c>${VAR}</c> interpolation failed.</summary>
    public const string Interpolation = "WARD-INTERP";

    /// <summary>A key that no one reads: an unknown key inside <c>x-ward</c> (a warning; rule READ-001).</summary>
    public const string UnknownKey = "READ-001";

    /// <summary>An interpolation that reads, but not as the author likely meant (a warning; rule READ-002).</summary>
    public const string InterpolationWarning = "READ-002";

    /// <summary>Deprecated syntax that still reads (rule READ-003).</summary>
    public const string Deprecated = "READ-003";

    /// <summary>The <c>x-ward</c> section is inconsistent (unknown size, duplicate node name, ...).</summary>
    public const string Ward = "WARD-SPEC";
}
