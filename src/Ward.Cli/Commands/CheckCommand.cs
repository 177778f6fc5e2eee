using System.CommandLine;
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
        var command = new Command("check", "Check an environment file for production readiness: every rule of the catalog that the file decides.")
        {
            file, format, profile, noWaivers, explain, brief, envFile, catalog, color,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(explain) is { } ruleId)
            {
                return RulesCommand.Explain(ruleId);
            }

            if (parse.GetValue(file) is not { } path)
            {
                Console.Error.WriteLine("ward check: give an environment file, e.g. ward check examples/production.yaml (or --explain RULE)");
                return ExitCodes.Usage;
            }

            var request = new CheckRequest(path, parse.GetValue(format)!, parse.GetValue(profile), !parse.GetValue(noWaivers), parse.GetValue(brief), Terminal.UseColor(parse.GetValue(color)!));
            return Run(request, parse.GetValue(envFile), parse.GetValue(catalog));
        });
        return command;
    }

    private sealed record CheckRequest(string File, string Format, string? Profile, bool UseWaivers, bool Brief, bool Color);

    private static int Run(CheckRequest request, string? envFile, string? catalogFile)
    {
        var loaded = EnvironmentInput.Load(request.File, envFile, catalogFile);
        if (loaded.Environment is not { } environment)
        {
            var read = loaded.Read;
            var unreadable = new CheckResult([.. read.Diagnostics.OrderBy(d => d.Location?.Line ?? 0).ThenBy(d => d.Location?.Column ?? 0).Select(ToFinding)], [], EnvironmentKind.Production);
            Write(request, new ReportInput(request.File, WardName(request.File), unreadable) { Readable = false });
            return ExitCodes.InvalidInput;
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
