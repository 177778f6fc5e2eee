using System.CommandLine;
using System.Text.Json;
using Ward.Deploying;
using Ward.Deploying.Operations;

namespace Ward.Cli.Commands;

/// <summary><c>ward logs</c>: an environment's logs through the Engine API, over the core's <see cref="LogReader"/>.</summary>
internal static class LogsCommand
{
    // JSON Lines for programs, not HTML: characters such as + and " stay as they are.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var target = new Argument<string>("ENV") { Description = "The environment's file (its secrets' values are then masked in the lines), or its name." };
        var services = new Argument<string[]>("SERVICE") { Description = "Services as the file names them (default: every service).", Arity = ArgumentArity.ZeroOrMore };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines as the tasks write them." };
        var since = new Option<string?>("--since") { Description = "Only lines since a duration ago (10m, 2h) or a time with its zone (2026-12-07T09:00:00Z).", HelpName = "WHEN" };
        var tail = new Option<int?>("--tail", "-n") { Description = $"Only the last N lines of everything selected, in time order (at most {LogQuery.MaxTail}).", HelpName = "N" };
        var grep = new Option<string?>("--grep") { Description = "Only lines that contain TEXT (case-insensitive).", HelpName = "TEXT" };
        var format = CommonOptions.Format("text", "json");
        var host = new Option<string?>("--host") { Description = "The engine to use (unix:///path or tcp://host:2376); default DOCKER_HOST, else the local cluster, else /var/run/docker.sock." };
        var envFile = CommonOptions.EnvFile();
        var catalog = CommonOptions.Catalog();
        var command = new Command("logs", "Print an environment's logs: every task on every node, each line with its time, task and node; secret values masked. Exit 0; 2 bad input; 69 no engine.")
        {
            target, services, follow, since, tail, grep, format, host, envFile, catalog,
        };
        command.SetAction((parse, token) => Failures.RunAsync(async () =>
        {
            var argument = parse.GetValue(target)!;
            var mask = SecretMask.None;
            string name;
            if (File.Exists(argument))
            {
                if (EnvironmentInput.LoadOrExplain(argument, parse.GetValue(envFile), parse.GetValue(catalog)) is not { } environment)
                {
                    return ExitCodes.InvalidInput;
                }

                name = environment.Name;
                mask = new SecretMask(environment.SecretValues());
            }
            else
            {
                name = argument;
                Console.Error.WriteLine($"ward: {name} is a name, not a file: secret values are masked when ward is given the environment's file");
            }

            var query = new LogQuery
            {
                Services = parse.GetValue(services) ?? [],
                Follow = parse.GetValue(follow),
                Since = parse.GetValue(since) is { } when ? LogQuery.ParseSince(when, DateTimeOffset.UtcNow) : null,
                Tail = parse.GetValue(tail),
                Grep = parse.GetValue(grep),
            };
            using var engine = EngineTarget.Resolve(parse.GetValue(host));
            await SwarmGuard.EnsureManagerAsync(engine.Engine, token);
            var json = parse.GetValue(format) == "json";
            using var output = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 1 << 16) { AutoFlush = false };
            try
            {
                await foreach (var entry in new LogReader(engine.Engine, TimeProvider.System).ReadAsync(name, query, mask, token))
                {
                    output.WriteLine(json ? JsonSerializer.Serialize(entry, Json) : Text(entry));
                    if (query.Follow)
                    {
                        await output.FlushAsync(token);
                    }
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested && query.Follow)
            {
                // Ctrl-C ends following: what was printed is all there is.
            }

            await output.FlushAsync(CancellationToken.None);
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>TIME TASK@NODE | MESSAGE, stderr lines marked, so that people and grep both read them.</summary>
    private static string Text(LogEntry entry) =>
        $"{entry.Time.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ} {entry.Task}@{entry.Node}{(entry.Stream == "stderr" ? " !" : "")} | {entry.Message}";
}
