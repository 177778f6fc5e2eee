using System.CommandLine;
using Ward.Deploying;
using Ward.Deploying.Balancing;
using Ward.Engine.Applying;
using Ward.Engine.Observing;
using Ward.Engine.Ports;

namespace Ward.Cli.Commands;

/// <summary>
/// <c>ward plan</c>, <c>apply</c>, <c>status</c> and <c>destroy</c>: argument parsing and presentation over the core's
/// <see cref="Deployer"/> and <see cref="EnvironmentDestroyer"/>, which hold the sequence itself.
/// </summary>
internal static class DeployCommands
{
    private static Option<string?> HostOption() => new("--host")
    {
        Description = "The engine to use (unix:///path or tcp://host:2376); default DOCKER_HOST, else the local cluster, else /var/run/docker.sock.",
    };

    private static Option<string> ResolveImageOption()
    {
        var option = new Option<string>("--resolve-image")
        {
            Description = "always: pin each image to its content where Ward can (the local cluster: its image ID, so a rebuilt tag is a change); never: tags as written, as docker stack deploy --resolve-image never.",
            DefaultValueFactory = _ => "always",
        };
        option.AcceptOnlyFromAmong("always", "never");
        return option;
    }

    public static Command Plan()
    {
        var file = CommonOptions.EnvironmentFile();
        var format = CommonOptions.Format("text", "json");
        var prune = new Option<bool>("--prune") { Description = "Also remove what the environment owns but the file no longer lists." };
        var restart = RestartOption();
        var resolveImage = ResolveImageOption();
        var host = HostOption();
        var envFile = CommonOptions.EnvFile();
        var catalog = CommonOptions.Catalog();
        var command = new Command("plan", "Show what apply would change: create, update and remove per object, with field-level differences. Exit 0: no change; 2: changes; 1: error.")
        {
            file, format, prune, restart, resolveImage, host, envFile, catalog,
        };
        var capacity = CapacityCommand.AddTo(command);
        command.SetAction((parse, token) => Failures.RunAsync(
            async () =>
            {
                if (capacity.Handles(parse))
                {
                    return await capacity.RunAsync(parse, parse.GetValue(file)!, parse.GetValue(format)!, parse.GetValue(host), parse.GetValue(envFile), parse.GetValue(catalog), token);
                }

                if (EnvironmentInput.LoadOrExplain(parse.GetValue(file)!, parse.GetValue(envFile), parse.GetValue(catalog)) is not { } environment)
                {
                    return ExitCodes.Failed;
                }

                using var target = EngineTarget.Resolve(parse.GetValue(host));
                var request = new DeployRequest { Prune = parse.GetValue(prune), Restart = parse.GetValue(restart) ?? [], ResolveImages = parse.GetValue(resolveImage) == "always" };
                var deployment = await target.Deployer().PlanAsync(environment, request, token);
                if (parse.GetValue(format) == "json")
                {
                    using var stdout = Console.OpenStandardOutput();
                    PlanPrinter.Json(stdout, deployment, target.Description);
                }
                else
                {
                    PlanPrinter.Text(Console.Out, deployment, target.Description, Terminal.UseColor("auto"));
                }

                return deployment.HasChanges ? ExitCodes.PlanHasChanges : ExitCodes.Ok;
            },
            invalidInput: ExitCodes.Failed));
        return command;
    }

    public static Command Apply()
    {
        var file = CommonOptions.EnvironmentFile();
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation." };
        var force = new Option<bool>("--force") { Description = "Apply a production environment despite error-level findings." };
        var prune = new Option<bool>("--prune") { Description = "Also remove what the environment owns but the file no longer lists (the plan shows it)." };
        var restart = RestartOption();
        var resolveImage = ResolveImageOption();
        var timeout = new Option<TimeSpan>("--timeout") { Description = "How long to wait for convergence (e.g. 5m, 90s).", DefaultValueFactory = _ => TimeSpan.FromMinutes(5), CustomParser = Durations.Parse };
        var lockWait = new Option<TimeSpan>("--lock-wait") { Description = "How long to wait when another apply holds the environment (default: do not wait).", DefaultValueFactory = _ => TimeSpan.Zero, CustomParser = Durations.Parse };
        var host = HostOption();
        var envFile = CommonOptions.EnvFile();
        var catalog = CommonOptions.Catalog();
        var command = new Command("apply", "Deploy the environment: show the plan, apply it in dependency order, and wait until every service has really converged.")
        {
            file, yes, force, prune, restart, resolveImage, timeout, lockWait, host, envFile, catalog,
        };
        command.SetAction((parse, token) => Failures.RunAsync(async () =>
        {
            if (EnvironmentInput.LoadOrExplain(parse.GetValue(file)!, parse.GetValue(envFile), parse.GetValue(catalog)) is not { } environment)
            {
                return ExitCodes.InvalidInput;
            }

            using var target = EngineTarget.Resolve(parse.GetValue(host));
            var request = new DeployRequest
            {
                Prune = parse.GetValue(prune),
                Restart = parse.GetValue(restart) ?? [],
                ResolveImages = parse.GetValue(resolveImage) == "always",
                Force = parse.GetValue(force),
                LockWait = parse.GetValue(lockWait),
                Apply = new ApplyOptions { Timeout = parse.GetValue(timeout) },
            };
            var console = new ApplyConsole(target.Description, live: Terminal.IsInteractive, ask: !parse.GetValue(yes) && Terminal.IsInteractive);
            try
            {
                return Report(environment.Name, await target.Deployer().ApplyAsync(environment, request, console, token), console);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // Wherever Ctrl-C lands (waiting for the lock, copying images, applying, converging), the lock is released.
                Console.Error.WriteLine("ward: interrupted. Every change made so far is complete and consistent; run ward apply again to finish.");
                return ExitCodes.Interrupted;
            }
        }));
        return command;
    }

    public static Command Status()
    {
        var target = new Argument<string>("FILE|NAME") { Description = "An environment file, or the environment's name." };
        var format = CommonOptions.Format("text", "json");
        var host = HostOption();
        var command = new Command("status", "Show an environment's nodes, services (running/desired, where tasks run, last errors and what to do) and a verdict: converged, progressing, degraded or failed.")
        {
            target, format, host,
        };
        command.SetAction((parse, token) => Failures.RunAsync(async () =>
        {
            if (EnvironmentInput.NameOf(parse.GetValue(target)!) is not { } name)
            {
                return ExitCodes.InvalidInput;
            }

            using var engine = EngineTarget.Resolve(parse.GetValue(host));
            await SwarmGuard.EnsureManagerAsync(engine.Engine, token);
            var report = await EnvironmentStatus.ReadAsync(engine.Engine, name, token);
            var domains = await engine.Balancer().ObserveAsync(name, token) is { } balancer ? DomainStatus.Of(balancer) : [];
            if (parse.GetValue(format) == "json")
            {
                StatusPrinter.Json(report, domains, engine.Description);
            }
            else
            {
                StatusPrinter.Text(report, domains, engine.Description);
            }

            return report.Verdict is Verdict.Converged or Verdict.Progressing ? ExitCodes.Ok : ExitCodes.Failed;
        }));
        return command;
    }

    public static Command Destroy()
    {
        var target = new Argument<string>("NAME") { Description = "The environment's name (or its file)." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation." };
        var lockWait = new Option<TimeSpan>("--lock-wait") { Description = "How long to wait when an apply holds the environment (default: do not wait).", DefaultValueFactory = _ => TimeSpan.Zero, CustomParser = Durations.Parse };
        var host = HostOption();
        var command = new Command("destroy", "Remove what the environment owns on the swarm: services, networks, secrets and configs (named volumes stay, as with docker stack rm).")
        {
            target, yes, lockWait, host,
        };
        command.SetAction((parse, token) => Failures.RunAsync(async () =>
        {
            if (EnvironmentInput.NameOf(parse.GetValue(target)!) is not { } name)
            {
                return ExitCodes.InvalidInput;
            }

            using var engine = EngineTarget.Resolve(parse.GetValue(host));
            var destroyer = new EnvironmentDestroyer(engine.Engine, TimeProvider.System);
            var owned = await destroyer.OwnedAsync(name, token);
            if (owned.Count == 0)
            {
                Console.Error.WriteLine($"ward: {name} owns nothing on {engine.Description}");
                return ExitCodes.Ok;
            }

            Console.Error.WriteLine($"ward: destroying {name} on {engine.Description}: {Describe(owned)}");
            if (!parse.GetValue(yes) && !Questions.Confirm("Remove them?"))
            {
                Console.Error.WriteLine("ward: nothing removed");
                return ExitCodes.Failed;
            }

            await destroyer.DestroyAsync(name, parse.GetValue(lockWait), token);
            Console.Error.WriteLine($"ward: {name} is gone (named volumes stay on the nodes)");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Option<string[]> RestartOption() => new("--restart")
    {
        Description = "Replace every task of these services (as named in the file) even if their spec did not change, as docker service update --force.",
        AllowMultipleArgumentsPerToken = true,
        HelpName = "SERVICE",
    };

    private static int Report(string name, DeployResult result, ApplyConsole console)
    {
        switch (result.Status)
        {
            case DeployStatus.RefusedByGate when !result.Gate.Forceable:
                Console.Error.WriteLine($"ward: nothing was created: {name} has {result.Gate.Blocking.Count} finding(s) that Docker would refuse part-way through the deploy:");
                WriteFindings(result.Gate.Blocking);
                Console.Error.WriteLine("Fix them (ward check explains each); neither a waiver nor --force can help, as the engine would refuse them.");
                return ExitCodes.InvalidInput;
            case DeployStatus.RefusedByGate:
                Console.Error.WriteLine($"ward: {name} is a production environment with {result.Gate.Blocking.Count} error-level finding(s):");
                WriteFindings(result.Gate.Blocking);
                Console.Error.WriteLine("Fix them (ward check explains each), waive them with a reason, or apply with --force.");
                return ExitCodes.Failed;
            case DeployStatus.Declined:
                Console.Error.WriteLine("ward: nothing applied");
                return ExitCodes.Failed;
            case DeployStatus.ImagesMissing:
                Console.Error.WriteLine($"ward: no node of the local cluster has {string.Join(", ", result.Deployment!.Images.Missing)}; nothing was changed.");
                Console.Error.WriteLine("  Bring images with `ward image load ARCHIVE.tar` (docker save format) or `ward image import ROOTFS.tar -t NAME:TAG`;");
                Console.Error.WriteLine("  the sample application's images are built by scripts/build-images.sh.");
                return ExitCodes.Failed;
        }

        var applied = result.Applied!;
        if (result.Status == DeployStatus.Converged)
        {
            Console.Error.WriteLine(result.NothingChanged && console.ShowedNoProgress
                ? "ward: nothing to do"
                : $"ward: {name} converged in {applied.Elapsed.TotalSeconds:0.0} s: {applied.Services.Count} services, {applied.Services.Sum(s => s.Running)} tasks running");
            return ExitCodes.Ok;
        }

        Console.Error.WriteLine($"ward: {name} {(result.Status == DeployStatus.TimedOut ? "did not converge in time" : "failed")} after {applied.Elapsed.TotalSeconds:0.0} s:");
        foreach (var problem in applied.Problems)
        {
            Console.Error.WriteLine($"  {problem}");
        }

        return ExitCodes.Failed;
    }

    private static void WriteFindings(IEnumerable<Rules.Finding> findings)
    {
        foreach (var finding in findings)
        {
            Console.Error.WriteLine($"  {finding.Rule}  {finding.Path}  {finding.Message}");
        }
    }

    private static string Describe(IReadOnlyList<ObservedObject> owned) =>
        string.Join(", ", owned.GroupBy(o => o.Kind).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}{(g.Count() == 1 ? "" : "s")}"));
}
