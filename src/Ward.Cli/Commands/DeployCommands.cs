using System.CommandLine;
using Ward.Docker;
using Ward.Engine.Applying;
using Ward.Engine.Observing;
using Ward.Engine.Planning;
using Ward.Engine.Ports;

namespace Ward.Cli.Commands;

/// <summary><c>ward plan</c>, <c>apply</c>, <c>status</c> and <c>destroy</c>: deploying to a real swarm through the Engine API.</summary>
internal static class DeployCommands
{
    private static Option<string?> HostOption() => new("--host")
    {
        Description = "The engine to use (unix:///path or tcp://host:2376); default DOCKER_HOST, else the local cluster, else /var/run/docker.sock.",
    };

    public static Command Plan()
    {
        var file = CommonOptions.EnvironmentFile();
        var format = CommonOptions.Format("text", "json");
        var prune = new Option<bool>("--prune") { Description = "Also remove what the environment owns but the file no longer lists." };
        var host = HostOption();
        var envFile = CommonOptions.EnvFile();
        var catalog = CommonOptions.Catalog();
        var command = new Command("plan", "Show what apply would change: create, update and remove per object, with field-level differences. Exit 0: no change; 2: changes; 1: error.")
        {
            file, format, prune, host, envFile, catalog,
        };
        var capacity = CapacityCommand.AddTo(command);
        command.SetAction(async (parse, token) =>
        {
            if (capacity.Handles(parse))
            {
                return await capacity.RunAsync(parse, parse.GetValue(file)!, parse.GetValue(format)!, parse.GetValue(host), parse.GetValue(envFile), parse.GetValue(catalog), token);
            }

            var (input, code) = DeployInput.Load(parse.GetValue(file)!, parse.GetValue(envFile), parse.GetValue(catalog));
            if (input is null)
            {
                return code == ExitCodes.InvalidInput ? ExitCodes.Failed : code;
            }

            return await WithEngine(parse.GetValue(host), async (engine, target) =>
            {
                await EnsureManagerAsync(engine, token);
                var observed = await StateReader.ReadAsync(engine, input.Spec.Name, token);
                var plan = Planner.Make(input.Spec.Name, input.Desired, input.Nodes, observed, parse.GetValue(prune));
                if (parse.GetValue(format) == "json")
                {
                    using var stdout = Console.OpenStandardOutput();
                    PlanPrinter.Json(stdout, plan, target);
                }
                else
                {
                    PlanPrinter.Text(Console.Out, plan, target, Terminal.UseColor("auto"));
                }

                return plan.HasChanges ? 2 : ExitCodes.Ok;
            }, failedCode: ExitCodes.Failed);
        });
        return command;
    }

    public static Command Apply()
    {
        var file = CommonOptions.EnvironmentFile();
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation." };
        var force = new Option<bool>("--force") { Description = "Apply a production environment despite error-level findings." };
        var prune = new Option<bool>("--prune") { Description = "Also remove what the environment owns but the file no longer lists (the plan shows it)." };
        var timeout = new Option<TimeSpan>("--timeout") { Description = "How long to wait for convergence (e.g. 5m, 90s).", DefaultValueFactory = _ => TimeSpan.FromMinutes(5), CustomParser = Durations.Parse };
        var lockWait = new Option<TimeSpan>("--lock-wait") { Description = "How long to wait when another apply holds the environment (default: do not wait).", DefaultValueFactory = _ => TimeSpan.Zero, CustomParser = Durations.Parse };
        var host = HostOption();
        var envFile = CommonOptions.EnvFile();
        var catalog = CommonOptions.Catalog();
        var command = new Command("apply", "Deploy the environment: show the plan, apply it in dependency order, and wait until every service has really converged.")
        {
            file, yes, force, prune, timeout, lockWait, host, envFile, catalog,
        };
        command.SetAction(async (parse, token) =>
        {
            var (input, code) = DeployInput.Load(parse.GetValue(file)!, parse.GetValue(envFile), parse.GetValue(catalog));
            if (input is null)
            {
                return code;
            }

            if (!input.PassesGate(parse.GetValue(force)))
            {
                return ExitCodes.Failed;
            }

            var options = new ApplyOptions { Timeout = parse.GetValue(timeout) };
            return await WithEngine(parse.GetValue(host), (engine, target) =>
                ApplyAsync(engine, target, parse.GetValue(host), input, options, parse.GetValue(prune), parse.GetValue(yes), parse.GetValue(lockWait), token), failedCode: ExitCodes.Failed);
        });
        return command;
    }

    public static Command Status()
    {
        var target = new Argument<string>("FILE|NAME") { Description = "An environment file, or the environment's name." };
        var format = CommonOptions.Format("text", "json");
        var host = HostOption();
        var command = new Command("status", "Show an environment's nodes, services (running/desired, where tasks run, last errors) and a verdict: converged, progressing, degraded or failed.")
        {
            target, format, host,
        };
        command.SetAction(async (parse, token) =>
        {
            var name = EnvironmentName(parse.GetValue(target)!);
            if (name is null)
            {
                return ExitCodes.InvalidInput;
            }

            return await WithEngine(parse.GetValue(host), async (engine, where) =>
            {
                await EnsureManagerAsync(engine, token);
                var report = await EnvironmentStatus.ReadAsync(engine, name, token);
                if (parse.GetValue(format) == "json")
                {
                    StatusPrinter.Json(report, where);
                }
                else
                {
                    StatusPrinter.Text(report, where);
                }

                return report.Verdict is Verdict.Converged or Verdict.Progressing ? ExitCodes.Ok : ExitCodes.Failed;
            }, failedCode: ExitCodes.Failed);
        });
        return command;
    }

    public static Command Destroy()
    {
        var target = new Argument<string>("NAME") { Description = "The environment's name (or its file)." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation." };
        var host = HostOption();
        var command = new Command("destroy", "Remove what the environment owns on the swarm: services, networks, secrets and configs (named volumes stay, as with docker stack rm).")
        {
            target, yes, host,
        };
        command.SetAction(async (parse, token) =>
        {
            var name = EnvironmentName(parse.GetValue(target)!);
            if (name is null)
            {
                return ExitCodes.InvalidInput;
            }

            return await WithEngine(parse.GetValue(host), async (engine, where) =>
            {
                await EnsureManagerAsync(engine, token);
                var owned = (await StateReader.ReadAsync(engine, name, token)).Owned;
                if (owned.Count == 0)
                {
                    Console.Error.WriteLine($"ward: {name} owns nothing on {where}");
                    return ExitCodes.Ok;
                }

                Console.Error.WriteLine($"ward: destroying {name} on {where}: {Describe(owned)}");
                if (!parse.GetValue(yes) && !Confirm("Remove them?"))
                {
                    Console.Error.WriteLine("ward: nothing removed");
                    return ExitCodes.Failed;
                }

                await Destroyer.DestroyAsync(engine, owned, token);
                Console.Error.WriteLine($"ward: {name} is gone (named volumes stay on the nodes)");
                return ExitCodes.Ok;
            }, failedCode: ExitCodes.Failed);
        });
        return command;
    }

    private static async Task<int> ApplyAsync(IEngine engine, string target, string? host, DeployInput input, ApplyOptions options, bool prune, bool yes, TimeSpan lockWait, CancellationToken token)
    {
        await EnsureManagerAsync(engine, token);
        try
        {
            await using var held = await EnvironmentLock.AcquireAsync(engine, input.Spec.Name, options.Timeout + TimeSpan.FromMinutes(5), lockWait, TimeProvider.System, LockHolder.Current, IsAlive, token);
            var observed = await StateReader.ReadAsync(engine, input.Spec.Name, token);
            var plan = Planner.Make(input.Spec.Name, input.Desired, input.Nodes, observed, prune);
            PlanPrinter.Text(Console.Error, plan, target, Terminal.UseColor("auto"));
            if (!plan.HasChanges)
            {
                // An earlier apply may have been stopped (killed, Ctrl-C) before its services converged: with nothing
                // left to change, apply still ends only when they have. Quiet when they have already.
                var console = new ApplyConsole(live: Terminal.IsInteractive, quietWhenConverged: true);
                var settled = await new ConvergenceWatcher(engine, TimeProvider.System).WaitAsync(input.Spec.Name, options, console, 0, token);
                if (settled.Outcome == ApplyOutcome.Converged && console.ShowedNothing)
                {
                    Console.Error.WriteLine("ward: nothing to do");
                    return ExitCodes.Ok;
                }

                return Report(input, settled);
            }

            if (!yes && Terminal.IsInteractive && !Confirm("Apply these changes?"))
            {
                Console.Error.WriteLine("ward: nothing applied");
                return ExitCodes.Failed;
            }

            if (!await LocalImages.EnsureAsync(input, EngineSelection.Resolve(host).Endpoint, token))
            {
                return ExitCodes.Failed;
            }

            var observer = new ApplyConsole(live: Terminal.IsInteractive);
            return Report(input, await new Applier(engine, TimeProvider.System).ApplyAsync(plan, options, observer, token));
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Wherever Ctrl-C lands (waiting for the lock, copying images, applying, converging), the lock is released.
            Console.Error.WriteLine("ward: interrupted. Every change made so far is complete and consistent; run ward apply again to finish.");
            return ExitCodes.Interrupted;
        }
    }

    private static int Report(DeployInput input, ApplyResult result)
    {
        if (result.Outcome == ApplyOutcome.Converged && result.Problems.Count == 0)
        {
            Console.Error.WriteLine($"ward: {input.Spec.Name} converged in {result.Elapsed.TotalSeconds:0.0} s: {result.Services.Count} services, {result.Services.Sum(s => s.Running)} tasks running");
            return ExitCodes.Ok;
        }

        Console.Error.WriteLine($"ward: {input.Spec.Name} {(result.Outcome == ApplyOutcome.TimedOut ? "did not converge in time" : "failed")} after {result.Elapsed.TotalSeconds:0.0} s:");
        foreach (var problem in result.Problems)
        {
            Console.Error.WriteLine($"  {problem}");
        }

        return ExitCodes.Failed;
    }

    private static async Task EnsureManagerAsync(IEngine engine, CancellationToken token)
    {
        var info = await engine.InfoAsync(token);
        if (!info.IsManager)
        {
            throw new NotSwarmManagerException(info.SwarmState == "inactive"
                ? "the engine is not part of a swarm. Initialise one with `docker swarm init` (or `./ward cluster up` for a local cluster), or point DOCKER_HOST at a swarm manager"
                : $"the engine is {(info.SwarmState == "active" ? "a worker of a swarm" : $"in swarm state {info.SwarmState}")}, not a manager, and only a manager can deploy. Point --host (or DOCKER_HOST) at a manager, or make this node one from a manager (`docker node promote`, or ward node promote NODE); an engine in no swarm becomes a manager with `docker swarm init`");
        }
    }

    /// <summary>Runs an engine command and maps engine failures to one message and an exit code.</summary>
    private static async Task<int> WithEngine(string? host, Func<IEngine, string, Task<int>> command, int failedCode)
    {
        var (endpoint, description) = EngineSelection.Resolve(host);
        try
        {
            using var engine = new DockerEngine(endpoint);
            return await command(engine, description);
        }
        catch (EngineUnavailableException e)
        {
            Console.Error.WriteLine($"ward: {e.Message}");
            return ExitCodes.Unavailable;
        }
        catch (NotSwarmManagerException e)
        {
            Console.Error.WriteLine($"ward: {e.Message}");
            return ExitCodes.Unavailable;
        }
        catch (LockConflictException e)
        {
            Console.Error.WriteLine($"ward: {e.Message}");
            return ExitCodes.Conflict;
        }
        catch (EngineException e)
        {
            Console.Error.WriteLine($"ward: {e.Message}");
            return failedCode;
        }
    }

    private static string? EnvironmentName(string target)
    {
        if (!File.Exists(target))
        {
            return target;
        }

        var (read, _) = EnvironmentInput.Read(target, null, null);
        if (read.Spec is null)
        {
            Console.Error.WriteLine($"ward: {target} cannot be read; run ward check on it");
            return null;
        }

        return read.Spec.Name;
    }

    private static string Describe(IReadOnlyList<ObservedObject> owned) =>
        string.Join(", ", owned.GroupBy(o => o.Kind).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}{(g.Count() == 1 ? "" : "s")}"));

    private static bool Confirm(string question)
    {
        if (!Terminal.IsInteractive)
        {
            Console.Error.WriteLine("ward: not a terminal, so no question can be asked: use --yes");
            return false;
        }

        Console.Error.Write($"{question} [y/N] ");
        return Console.ReadLine()?.Trim().ToLowerInvariant() is "y" or "yes";
    }

    private static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}");
}
