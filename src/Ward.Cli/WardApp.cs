using System.CommandLine;
using Ward.Cli.Commands;

namespace Ward.Cli;

/// <summary>The <c>ward</c> command: builds the command tree and maps every outcome to an exit code.</summary>
internal static class WardApp
{
    public static RootCommand Build() => new("Ward: check, deploy and run a team's application on Docker Swarm, production-ready.")
    {
        CheckCommand.Create(),
        RulesCommand.Create(),
        SchemaCommand.Create(),
        DeployCommands.Plan(),
        DeployCommands.Apply(),
        DeployCommands.Status(),
        DeployCommands.Destroy(),
        LogsCommand.Create(),
        AlertsCommand.Create(),
        ClusterCommand.Create(),
        NodeCommand.Create(),
        ImageCommand.Create(),
        LoadBalancerCommand.Create(),
        DatabaseCommand.Create(),
        SwitchoverCommand.Create(),
        ServeCommand.Create(),
        AuditCommand.Create(),
    };

    public static int Run(string[] args)
    {
        var parse = Build().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine($"ward: {error.Message}");
            }

            Console.Error.WriteLine("Run 'ward --help' (or 'ward <command> --help') for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("ward: interrupted");
            return ExitCodes.Interrupted;
        }
#pragma warning disable CA1031 // The last line of defence: a bug becomes one message and an exit code, not a crash dump.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Console.Error.WriteLine($"ward: internal error ({e.GetType().Name}): {e.Message}");
            Console.Error.WriteLine("This is a bug in Ward; please report it with the command you ran. Set WARD_DEBUG=1 for details.");
            if (Environment.GetEnvironmentVariable("WARD_DEBUG") == "1")
            {
                Console.Error.WriteLine(e);
            }

            return ExitCodes.Internal;
        }
    }
}
