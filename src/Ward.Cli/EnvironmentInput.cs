using Ward.Model.Catalog;
using Ward.Model.Compose;
using Ward.Model.Diagnostics;
using Ward.Model.Reading;

namespace Ward.Cli;

/// <summary>
/// Reads an environment file the way every command does: the catalog (--catalog or WARD_CATALOG), the
/// variables (process environment over --env-file), then the file itself.
/// </summary>
internal static class EnvironmentInput
{
    public static (ReadResult Result, SizeCatalog Catalog) Read(string file, string? envFile, string? catalogFile)
    {
        var setup = new DiagnosticBag();
        var catalog = Catalog(catalogFile, setup);

        Dictionary<string, string>? fileVariables = null;
        if (envFile is not null)
        {
            if (File.Exists(envFile))
            {
                var text = Model.Yaml.YamlTreeBuilder.Decode(File.ReadAllBytes(envFile), envFile, setup);
                fileVariables = text is null
                    ? []
                    : EnvFile.Parse(text, envFile, setup, VariableSource.Empty).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            }
            else
            {
                setup.Error(DiagnosticCodes.File, "", $"the env file '{envFile}' does not exist", null);
            }
        }

        if (setup.HasErrors)
        {
            return (new ReadResult(file, null, setup.Items, null), catalog);
        }

        var options = new ReaderOptions { Catalog = catalog, Variables = VariableSource.FromProcess(fileVariables) };
        return (EnvironmentFileReader.Read(file, options), catalog);
    }

    /// <summary>Says why a file cannot be read: each blocking diagnostic, and where to learn more.</summary>
    public static void ReportUnreadable(string file, ReadResult read)
    {
        Console.Error.WriteLine($"ward: {file} cannot be read:");
        foreach (var diagnostic in read.Diagnostics.Where(d => d.BlocksReading))
        {
            Console.Error.WriteLine($"  {diagnostic}");
        }

        Console.Error.WriteLine("Run `ward check` on it for details.");
    }

    /// <summary>The catalog in force for a command (built in, extended by --catalog or WARD_CATALOG).</summary>
    public static SizeCatalog Catalog(string? catalogFile, DiagnosticBag diagnostics)
    {
        catalogFile ??= Environment.GetEnvironmentVariable("WARD_CATALOG") is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
        return catalogFile is null ? SizeCatalog.BuiltIn : CatalogFile.Load(catalogFile, SizeCatalog.BuiltIn, diagnostics) ?? SizeCatalog.BuiltIn;
    }
}
