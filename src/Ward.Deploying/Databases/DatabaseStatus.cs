using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ward.Engine.Ports;

namespace Ward.Deploying.Databases;

/// <summary>A PostgreSQL setting: what the tier asks for and what the running database reports (pg_settings).</summary>
/// <param name="Expected">As the tier derived it (e.g. 512MB), or null when the tier does not set it.</param>
/// <param name="Measured">As PostgreSQL reports it, in its unit (e.g. 65536 8kB), or null when it did not report it.</param>
/// <param name="Name">The setting's name.</param>
public sealed record MeasuredSetting(string Name, string? Expected, string? Measured)
{
    /// <summary>Whether the running database has what the tier asks for (sizes compared in bytes: 65536 8kB is 512MB).</summary>
    public bool Matches => Expected is not null && Measured is not null && SettingValues.Normalize(Expected) == SettingValues.Normalize(Measured);
}

/// <summary>What the running database says of itself (ward-db status, read in its task), beside what its tier asks for.</summary>
/// <param name="Tier">The tier on the service's label.</param>
/// <param name="Node">The node its task runs on (its ward.node name, else its hostname).</param>
/// <param name="Settings">The tier's settings, each with the running value; then what the database reports that the tier does not set.</param>
/// <param name="Database">The database's name.</param>
/// <param name="Version">PostgreSQL's version.</param>
/// <param name="InRecovery">Whether it is in recovery (a restore being replayed).</param>
/// <param name="DatabaseBytes">The size of all its databases.</param>
/// <param name="VolumeTotalBytes">Its volume's size.</param>
/// <param name="VolumeFreeBytes">Free space on its volume.</param>
/// <param name="ArchivedWal">WAL segments archived since it started.</param>
/// <param name="LastArchivedAt">When the last one was archived.</param>
/// <param name="FailedWal">WAL segments whose archiving failed.</param>
public sealed record DatabaseStatus(
    string Database,
    string? Tier,
    string Node,
    string Version,
    bool InRecovery,
    long DatabaseBytes,
    long? VolumeTotalBytes,
    long? VolumeFreeBytes,
    long ArchivedWal,
    DateTimeOffset? LastArchivedAt,
    long FailedWal,
    IReadOnlyList<MeasuredSetting> Settings);

/// <summary>Reads a deployed database's status in its running task (<c>ward db status</c>): the tier made real, measured.</summary>
public sealed class DatabaseInspector(IEngine engine, INodeEngines nodes)
{
    public async Task<DatabaseStatus> StatusAsync(string environment, string database, CancellationToken cancellationToken)
    {
        var deployed = await DatabaseLocator.FindAsync(engine, environment, database, cancellationToken);
        var (container, node) = deployed.Database.Running($"database {database}");
        using var engineOfNode = await nodes.ConnectAsync(node, cancellationToken);
        var answer = await engineOfNode.ExecAsync(container, ["/usr/local/bin/ward-db", "status"], new Dictionary<string, string>(), cancellationToken);
        if (answer.ExitCode != 0)
        {
            throw new DatabaseOperationException(DatabaseFailureCodes.NotRunning, $"database {database} could not report its status (exit {answer.ExitCode}): {answer.Stderr.Trim()}");
        }

        JsonNode document;
        try
        {
            document = JsonNode.Parse(answer.Stdout)!;
        }
        catch (JsonException e)
        {
            throw new DatabaseOperationException(DatabaseFailureCodes.NotRunning, $"database {database} answered with something that is not its status: {e.Message}");
        }

        var expected = SettingValues.Pairs(deployed.Setting("WARD_DB_SETTINGS") ?? "");
        var measured = (document["settings"]?.AsObject() ?? []).ToDictionary(s => s.Key, s => s.Value?.GetValue<string>(), StringComparer.Ordinal);
        var settings = expected.Select(e => new MeasuredSetting(e.Key, e.Value, measured.GetValueOrDefault(e.Key)))
            .Concat(measured.Where(m => !expected.Any(e => e.Key == m.Key)).OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => new MeasuredSetting(m.Key, null, m.Value)))
            .ToList();
        return new DatabaseStatus(
            database,
            deployed.Tier,
            // Nodes Ward names (x-ward.nodes, the local cluster) carry their name; hosts may share a hostname.
            node.Labels.GetValueOrDefault(Engine.Desired.StackNames.NodeLabel) ?? node.Hostname,
            document["version"]?.GetValue<string>() ?? "",
            document["inRecovery"]?.GetValue<bool>() ?? false,
            document["databaseBytes"]?.GetValue<long>() ?? 0,
            document["volume"]?["totalBytes"]?.GetValue<long>(),
            document["volume"]?["freeBytes"]?.GetValue<long>(),
            document["archive"]?["archived"]?.GetValue<long>() ?? 0,
            BackupEntry.Time(document["archive"]?["lastArchivedAt"]),
            document["archive"]?["failed"]?.GetValue<long>() ?? 0,
            settings);
    }
}

/// <summary>PostgreSQL setting values, written as the tier writes them (512MB) or as pg_settings reports them (65536 8kB).</summary>
public static class SettingValues
{
    private static readonly Dictionary<string, long> Units = new(StringComparer.Ordinal)
    {
        ["B"] = 1,
        ["kB"] = 1024,
        ["8kB"] = 8 * 1024,
        ["MB"] = 1024 * 1024,
        ["GB"] = 1024L * 1024 * 1024,
        ["TB"] = 1024L * 1024 * 1024 * 1024,
    };

    /// <summary>name=value pairs separated by spaces (WARD_DB_SETTINGS), in their order.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Pairs(string text) =>
        [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .Select(p => new KeyValuePair<string, string>(p[0], p[1]))];

    /// <summary>A size in bytes ("512MB", "65536 8kB"), or the text itself when it is not a size.</summary>
    public static string Normalize(string value)
    {
        var text = value.Trim();
        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        if (digits == 0 || !long.TryParse(text[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return text;
        }

        var unit = text[digits..].Trim();
        return unit.Length == 0 ? number.ToString(CultureInfo.InvariantCulture)
            : Units.TryGetValue(unit, out var factor) ? (number * factor).ToString(CultureInfo.InvariantCulture) + " B"
            : text;
    }
}
