using Ward.Model.Catalog;
using Ward.Model.Diagnostics;

namespace Ward.Deploying.Loading;

/// <summary>The size and tier catalog in force: the built-in one, extended by a file (a setting, else WARD_CATALOG).</summary>
public static class Catalogs
{
    public const string Variable = "WARD_CATALOG";

    /// <summary>Loads the catalog; problems in the file go to <paramref name="diagnostics"/> and leave the built-in one.</summary>
    public static SizeCatalog Load(string? file, DiagnosticBag diagnostics)
    {
        file ??= Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
        return file is null ? SizeCatalog.BuiltIn : CatalogFile.Load(file, SizeCatalog.BuiltIn, diagnostics) ?? SizeCatalog.BuiltIn;
    }
}
