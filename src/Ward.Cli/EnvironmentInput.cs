using Ward.Deploying.Loading;
using Ward.Model.Compose;
using Ward.Model.Diagnostics;
using Ward.Model.Reading;
using Ward.Rules;

namespace Ward.Cli;

/// <summary>
/// Loads an environment file the way every command does: the catalog (--catalog or WARD_CATALOG), the variables
/// (the process environment over --env-file), then the file itself, through the core's loader.
/// </summary>
internal static class EnvironmentInput
{
    public static LoadResult Load(string file, string? envFile, string? catalogFile, ILiveFacts? live = null)
    {
        var setup = new DiagnosticBag();
        var catalog = Catalogs.Load(catalogFile, setup);
        var variables = envFile is null ? null : EnvFile.ReadVariables(envFile, setup);
        if (setup.HasErrors)
        {
            return new LoadResult(ReadResult.Unread(file, setup.Items), null);
        }

        var options = new LoadOptions { Catalog = catalog, EnvFile = variables, Live = live };
        return EnvironmentLoader.Load(EnvironmentSource.OnDisk(file), options, TimeProvider.System.GetUtcNow());
    }

    /// <summary>Loads the file, or prints why it cannot be read (each problem, then how to see more) and returns null.</summary>
    public static LoadedEnvironment? LoadOrExplain(string file, string? envFile, string? catalogFile)
    {
        var loaded = Load(file, envFile, catalogFile);
        if (loaded.Environment is null)
        {
            Console.Error.WriteLine($"ward: {file} cannot be read:");
            foreach (var diagnostic in loaded.Read.Diagnostics.Where(d => d.BlocksReading))
            {
                Console.Error.WriteLine($"  {diagnostic}");
            }

            Console.Error.WriteLine("Run `ward check` on it for details.");
        }

        return loaded.Environment;
    }

    /// <summary>An environment's name: the argument itself, or the name inside it when it is a file.</summary>
    public static string? NameOf(string target)
    {
        if (!File.Exists(target))
        {
            return target;
        }

        return LoadOrExplain(target, null, null)?.Name;
    }
}
