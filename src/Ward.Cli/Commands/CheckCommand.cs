using System.CommandLine;
using Ward.Deploying.Databases;
using Ward.Deploying.Live;
using Ward.Model.Diagnostics;
using Ward.Model.Spec;
using Ward.Rules;
using Ward.Rules.Reports;

namespace Ward.Cli.Commands;

/// <summary><c>ward check FILE</c>: what will hurt this environment in production, where, and how to fix it.</summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var file = CommonOptions.EnvironmentFile();
        file.Arity = ArgumentArity.ZeroOrOne;
        var format = CommonOptions.Format("text", "json", "sarif");
        var profile = new Option<string?>("--profile")
        {
            Description = "Check as production or staging, overriding x-ward.environment.kind; staging relaxes the production-only rules.",
        };
        profile.AcceptOnlyFromAmong("production", "staging");
        var noWaivers = new Option<bool>("--no-waivers") { Description = "Ignore every waiver in x-ward.waivers: all findings count." };
        var explain = new Option<string?>("--explain") { Description = "Print the documentation of a rule (e.g. PLC-001) and exit.", HelpName = "RULE" };
        var brief = new Option<bool>("--brief") { Description = "Text format: one line per finding, without why and fix." };
        var envFile = CommonOptions.EnvFile();
        var catalog = CommonOptions.Catalog();
        var color = CommonOptions.Color();
        var live = new Option<bool>("--live") { Description = "Also run the rules that need the live cluster and DNS: image sizes from the nodes (IMG-002), each domain's A records (DNS-001), the migration rehearsals Ward recorded (SWO-001)." };
        var host = new Option<string?>("--host") { Description = "With --live: the engine to ask (default DOCKER_HOST, else the local cluster, else /var/run/docker.sock)." };
        var resolver = new Option<string?>("--resolver") { Description = $"With --live: the DNS resolver to ask, ADDRESS[:PORT] (default ${DnsResolver.Variable}, else the system's).", HelpName = "ADDRESS" };
        var command = new Command("check", "Check an environment file for production readiness: every rule of the catalog that the file decides (and, with --live, those that need the cluster and DNS).")
        {
            file, format, profile, noWaivers, explain, brief, envFile, catalog, color, live, host, resolver,
        };
        command.SetAction((parse, token) =>
        {
            if (parse.GetValue(explain) is { } ruleId)
            {
                return Task.FromResult(RulesCommand.Explain(ruleId));
            }

            if (parse.GetValue(file) is not { } path)
            {
                Console.Error.WriteLine("ward check: give an environment file, e.g. ward check examples/production.yaml (or --explain RULE)");
                return Task.FromResult(ExitCodes.Usage);
            }

            var request = new CheckRequest(path, parse.GetValue(format)!, parse.GetValue(profile), !parse.GetValue(noWaivers), parse.GetValue(brief), Terminal.UseColor(parse.GetValue(color)!));
            var connection = parse.GetValue(live) ? new LiveConnection(parse.GetValue(host), parse.GetValue(resolver)) : null;
            return Failures.RunAsync(() => RunAsync(request, parse.GetValue(envFile), parse.GetValue(catalog), connection, token));
        });
        return command;
    }

    private sealed record CheckRequest(string File, string Format, string? Profile, bool UseWaivers, bool Brief, bool Color);

    /// <summary>Where live facts come from: the engine and the DNS resolver.</summary>
    private sealed record LiveConnection(string? Host, string? Resolver);

    private static async Task<int> RunAsync(CheckRequest request, string? envFile, string? catalogFile, LiveConnection? connection, CancellationToken token)
    {
        var loaded = EnvironmentInput.Load(request.File, envFile, catalogFile);
        if (loaded.Environment is not { } environment)
        {
            var read = loaded.Read;
            var unreadable = new CheckResult([.. read.Diagnostics.OrderBy(d => d.Location?.Line ?? 0).ThenBy(d => d.Location?.Column ?? 0).Select(ToFinding)], [], EnvironmentKind.Production);
            Write(request, new ReportInput(request.File, WardName(request.File), unreadable) { Readable = false });
            return ExitCodes.InvalidInput;
        }

        if (connection is not null)
        {
            var resolver = DnsResolver.Create(connection.Resolver);
            using var target = EngineTarget.Resolve(connection.Host);
            var facts = await LiveFacts.GatherAsync(environment.Spec, target.Images, resolver, new Rehearsals(target.Engine, TimeProvider.System), token);
            Console.Error.WriteLine($"ward: live facts from {target.Description}: {facts.Summary}");
            environment = environment.WithLive(facts);
        }

        var kind = request.Profile switch
        {
            "production" => EnvironmentKind.Production,
            "staging" => EnvironmentKind.Staging,
            _ => environment.Spec.Kind,
        };
        var result = environment.CheckAs(kind, request.UseWaivers);
        Write(request, new ReportInput(request.File, environment.Name, result));
        return result.HasErrors ? ExitCodes.Failed : ExitCodes.Ok;
    }

    private static string WardName(string file) => Path.GetFileName(file);

    /// <summary>A reader diagnostic shown in the reports' shape, so CI tools read one format whatever happened.</summary>
    private static Finding ToFinding(Diagnostic diagnostic) => new()
    {
        Rule = diagnostic.Code,
        Severity = diagnostic.Severity,
        Path = diagnostic.Path,
        Message = diagnostic.Message,
        Location = diagnostic.Location,
    };

    private static void Write(CheckRequest request, ReportInput input)
    {
        using var stdout = Console.OpenStandardOutput();
        switch (request.Format)
        {
            case "json":
                JsonReport.Write(stdout, input);
                stdout.Write("\n"u8);
                break;
            case "sarif":
                SarifReport.Write(stdout, input);
                stdout.Write("\n"u8);
                break;
            default:
                new TextReport(Console.Out, request.Color) { Verbose = !request.Brief }.Write(input);
                break;
        }
    }
}
