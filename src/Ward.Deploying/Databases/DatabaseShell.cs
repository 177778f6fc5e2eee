using Ward.Engine.Ports;

namespace Ward.Deploying.Databases;

/// <summary>
/// <c>ward db shell</c>: psql inside the database's running task, through the Engine API's exec on the engine of the
/// node that runs it. As the superuser over the task's own socket (peer authentication: no password travels), on the
/// application's database. Interactive with a terminal; given a statement, or statements on its input, it runs them
/// and stops at the first error, as a script should.
/// </summary>
public sealed class DatabaseShell(IEngine engine, INodeEngines nodes)
{
    /// <summary>Runs psql in the database's task until it exits; returns psql's exit code.</summary>
    /// <param name="environment">The environment.</param>
    /// <param name="database">The database's name in x-ward.databases.</param>
    /// <param name="statement">A statement to run (psql -c), or null to read the input (a terminal, or a script).</param>
    /// <param name="streams">The caller's input and output; with a terminal, an interactive session.</param>
    /// <param name="cancellationToken">Ends the session.</param>
    public async Task<long> RunAsync(string environment, string database, string? statement, AttachedStreams streams, CancellationToken cancellationToken)
    {
        var deployed = await DatabaseLocator.FindAsync(engine, environment, database, cancellationToken);
        var (container, node) = deployed.Database.Running($"database {database}");
        using var engineOfNode = await nodes.ConnectAsync(node, cancellationToken);
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        if (streams.Terminal is not null)
        {
            // psql's line editing and pager need to know the terminal; the session then reads as a local psql does.
            variables["TERM"] = Environment.GetEnvironmentVariable("TERM") is { Length: > 0 } term ? term : "xterm";
        }

        return await engineOfNode.AttachAsync(container, Command(deployed, statement, streams.Terminal is not null), variables, streams, cancellationToken);
    }

    /// <summary>psql on the task's socket, as the superuser, on the application's database.</summary>
    internal static IReadOnlyList<string> Command(DeployedDatabase deployed, string? statement, bool interactive)
    {
        var name = deployed.Setting("POSTGRES_DB") ?? deployed.Setting("POSTGRES_USER") ?? "postgres";
        List<string> command = ["psql", "-h", "/run/postgresql", "-U", "postgres", "-d", name];
        if (!interactive)
        {
            // A script: no ~/.psqlrc, and the first failing statement fails the whole (psql's exit code 3).
            command.AddRange(["-X", "-v", "ON_ERROR_STOP=1"]);
        }

        if (statement is not null)
        {
            command.AddRange(["-c", statement]);
        }

        return command;
    }
}
