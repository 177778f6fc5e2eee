namespace Ward.Model.Diagnostics;

/// <summary>Collects diagnostics while a file is read; never throws for user mistakes.</summary>
public sealed class DiagnosticBag
{
    // A hostile file can produce a diagnostic per node; past this many, more lines help nobody.
    private const int MaxDiagnostics = 500;

    private readonly List<Diagnostic> _items = [];

    // Two stages may notice the same bad value (the schema and the binder); the user needs to hear it once.
    private readonly HashSet<(string Path, SourceLocation? Location)> _errorsAt = [];

    public IReadOnlyList<Diagnostic> Items => _items;

    /// <summary>Whether any diagnostic so far means the file cannot be read.</summary>
    public bool HasErrors { get; private set; }

    public int Dropped { get; private set; }

    public void Add(Diagnostic diagnostic)
    {
        if (diagnostic.BlocksReading && diagnostic.Path.Length > 0 && !_errorsAt.Add((diagnostic.Path, diagnostic.Location)))
        {
            return;
        }

        HasErrors |= diagnostic.BlocksReading;
        if (_items.Count >= MaxDiagnostics)
        {
            Dropped++;
            return;
        }

        _items.Add(diagnostic);
    }

    public void Error(string code, string path, string message, SourceLocation? location) =>
        Add(new Diagnostic(code, Severity.Error, path, message, location));

    /// <summary>An error the file reads despite: <c>docker stack deploy</c> would fail on it later (CMP-002).</summary>
    public void DeployBlocker(string path, string message, SourceLocation? location) =>
        Add(new Diagnostic("CMP-002", Severity.Error, path, message, location) { BlocksReading = false });

    public void Warning(string code, string path, string message, SourceLocation? location) =>
        Add(new Diagnostic(code, Severity.Warning, path, message, location));

    public void Info(string code, string path, string message, SourceLocation? location) =>
        Add(new Diagnostic(code, Severity.Info, path, message, location));
}
