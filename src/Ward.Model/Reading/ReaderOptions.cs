using Ward.Model.Catalog;
using Ward.Model.Compose;

namespace Ward.Model.Reading;

/// <summary>What the reader needs besides the file: variables for interpolation and the size catalog.</summary>
public sealed record ReaderOptions
{
    /// <summary>Files larger than this are refused before parsing: environment files are small, hostile ones are not.</summary>
    public const long MaxFileBytes = 8L * 1024 * 1024;

    public VariableSource Variables { get; init; } = VariableSource.Empty;

    public SizeCatalog Catalog { get; init; } = SizeCatalog.BuiltIn;
}
