using System.CommandLine;

namespace Ward.Cli.Commands;

/// <summary><c>ward lb</c>: the load balancer Ward runs on the manager for an environment's domains.</summary>
internal static class LoadBalancerCommand
{
    public static Command Create()
    {
        var host = new Option<string?>("--host") { Description = "The engine to use (the manager that runs the load balancer); default DOCKER_HOST, else the local cluster, else /var/run/docker.sock." };
        var environment = new Argument<string>("NAME") { Description = "The environment's name (or its file)." };
        var root = new Command("root", "Print the root certificate (PEM) of the load balancer's own authority, which signs the certificates of domains with tls: internal: trust it to browse them without a warning.") { environment, host };
        root.SetAction((parse, token) => Failures.RunAsync(async () =>
        {
            if (EnvironmentInput.NameOf(parse.GetValue(environment)!) is not { } name)
            {
                return ExitCodes.InvalidInput;
            }

            using var target = EngineTarget.Resolve(parse.GetValue(host));
            Console.Out.Write(await target.Balancer().InternalRootAsync(name, token));
            return ExitCodes.Ok;
        }));
        return new Command("lb", "The load balancer on the manager that serves an environment's domains (ward status shows its domains and certificates).") { root };
    }
}
