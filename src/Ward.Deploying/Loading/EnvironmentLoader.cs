using Ward.Model.Compose;
using Ward.Model.Reading;

namespace Ward.Deploying.Loading;

/// <summary>The result of loading: the environment, or the reader's diagnostics saying why it could not be read.</summary>
public sealed record LoadResult(ReadResult Read, LoadedEnvironment? Environment);

/// <summary>Reads an environment file and checks it, the same way for the CLI and the server.</summary>
public static class EnvironmentLoader
{
    public static LoadResult Load(EnvironmentSource source, LoadOptions options, DateTimeOffset now)
    {
        var read = source.Read(new ReaderOptions
        {
            Catalog = options.Catalog,
            Variables = new VariableSource(options.Process, options.EnvFile),
        });
        return new LoadResult(read, read.Spec is { } spec ? new LoadedEnvironment(source, read, spec, options, now) : null);
    }
}
