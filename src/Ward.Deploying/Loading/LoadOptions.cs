using Ward.Engine.Ports;
using Ward.Model.Catalog;
using Ward.Rules;

namespace Ward.Deploying.Loading;

/// <summary>What an environment file is read, checked and converted with, besides the file itself.</summary>
public sealed record LoadOptions
{
    public SizeCatalog Catalog { get; init; } = SizeCatalog.BuiltIn;

    /// <summary>
    /// The deploying process's variables: for <c>${VAR}</c> (above the env file's) and for <c>environment:</c> names
    /// given without a value, which take the deploying process's value as with <c>docker stack deploy</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Process { get; init; } = ProcessVariables();

    /// <summary>The variables of <c>--env-file</c>, under the process's.</summary>
    public IReadOnlyDictionary<string, string>? EnvFile { get; init; }

    /// <summary>Values of secrets and configs declared with neither <c>file</c> nor <c>external</c> (the server's store).</summary>
    public Func<ObjectKind, string, byte[]?>? ManagedContent { get; init; }

    /// <summary>
    /// The version part of a secret's or config's object name, from its content; null: the start of its SHA-256. The
    /// server keys it (an HMAC with its installation key), so that whoever lists the swarm's secrets cannot test guesses.
    /// </summary>
    public Func<byte[], string>? VersionOf { get; init; }

    /// <summary>Facts from the live cluster and DNS for the rules that need them; null when not connected.</summary>
    public ILiveFacts? Live { get; init; }

    public static Dictionary<string, string> ProcessVariables()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            variables[(string)entry.Key] = (string?)entry.Value ?? "";
        }

        return variables;
    }
}
