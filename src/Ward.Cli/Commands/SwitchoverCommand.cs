using System.CommandLine;
using System.Text.Json;
using Ward.Deploying.Databases;
using Ward.Deploying.Live;
using Ward.Deploying.Switchover;

namespace Ward.Cli.Commands;

/// <summary><c>ward switchover plan FILE</c>: the runbook of the environment's switchover and the state of every gate, over the core's <see cref="SwitchoverPlanner"/>.</summary>
internal static class SwitchoverCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web) { WriteIndented = true };

    public static Command Create() => new("switchover", "Go to production from an existing host (x-ward.switchover): the runbook and its gates.")
    {
        Plan(),
    };

    private static Command Plan()
    {
        var file = CommonOptions.EnvironmentFile();
        var format = CommonOptions.Format("text", "json");
        var envFile = CommonOptions.EnvFile();
        var catalog = CommonOptions.Catalog();
        var host = new Option<string?>("--host") { Description = "The engine to ask (a manager of the swarm); default DOCKER_HOST, else the local cluster, else /var/run/docker.sock." };
        var resolver = new Option<string?>("--resolver") { Description = $"The DNS resolver to ask, ADDRESS[:PORT] (default ${DnsResolver.Variable}, else the system's).", HelpName = "ADDRESS" };
        var command = new Command("plan", "Print the switchover's runbook and the state of every gate, each observed by Ward (readiness, rehearsals, DNS, window, swarm backup, rollback plan). Exit 0: every gate passes; 1: one fails; 2: the file cannot plan a switchover.")
        {
            file, format, envFile, catalog, host, resolver,
        };
        command.SetAction((parse, token) => Failures.RunAsync(async () =>
        {
            if (EnvironmentInput.LoadOrExplain(parse.GetValue(file)!, parse.GetValue(envFile), parse.GetValue(catalog)) is not { } environment)
            {
                return ExitCodes.InvalidInput;
            }

            var dns = DnsResolver.Create(parse.GetValue(resolver));
            EngineTarget? target = null;
            try
            {
                // The engine is reached only once the file's switchover is valid: bad input needs no swarm.
                var plan = await new SwitchoverPlanner(TimeProvider.System, new SwitchoverOptions()).PlanAsync(
                    environment,
                    t =>
                    {
                        target = EngineTarget.Resolve(parse.GetValue(host));
                        return LiveFacts.GatherAsync(environment.Spec, target.Images, dns, new Rehearsals(target.Engine, TimeProvider.System), t);
                    },
                    mappedSince: null,
                    token);
                if (parse.GetValue(format) == "json")
                {
                    Console.Out.WriteLine(JsonSerializer.Serialize(plan, Json));
                }
                else
                {
                    Print(plan, target!.Description);
                }

                return plan.Ready ? ExitCodes.Ok : ExitCodes.Failed;
            }
            finally
            {
                target?.Dispose();
            }
        }));
        return command;
    }

    private static void Print(SwitchoverPlan plan, string engine)
    {
        var output = Console.Out;
        output.WriteLine($"Switchover of {plan.Environment}: {plan.WindowStart:u} to {plan.WindowEnd:u} (observed {plan.At:u} from {engine})");
        output.WriteLine($"Rollback plan: {plan.RollbackPlan}");
        output.WriteLine();
        output.WriteLine($"Runbook ({plan.Runs}):");
        for (var i = 0; i < plan.Steps.Count; i++)
        {
            var step = plan.Steps[i];
            output.WriteLine($"  {i + 1}. {step.Title}: {step.Detail} (undo: {step.Undo})");
        }

        output.WriteLine();
        output.WriteLine("Gates:");
        foreach (var gate in plan.Gates)
        {
            output.WriteLine($"  [{(gate.Passed ? "pass" : "FAIL")}] {gate.Title}");
            output.WriteLine($"         {gate.Observed}");
            if (gate.Action is { } action)
            {
                output.WriteLine($"         to do: {action}");
            }

            if (gate.PassableAt is { } at)
            {
                output.WriteLine($"         can pass from: {at:u}");
            }
        }

        var failing = plan.Gates.Count(g => !g.Passed);
        output.WriteLine();
        output.WriteLine(failing == 0 ? "Every gate passes." : $"{failing} of {plan.Gates.Count} gate(s) fail: the switchover must not start.");
    }
}
