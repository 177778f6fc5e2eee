namespace Ward.Model.Diagnostics;

/// <summary>A position in a source file; line and column are 1-based.</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}
