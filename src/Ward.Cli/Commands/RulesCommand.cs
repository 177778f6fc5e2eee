using System.CommandLine;
using System.Text.Json;
using Ward.Rules;
using Ward.Rules.Reports;

namespace Ward.Cli.Commands;

/// <summary><c>ward rules</c>: the catalog of readiness rules.</summary>
internal static class RulesCommand
{
    public static Command Create()
    {
        var format = CommonOptions.Format("text", "json", "markdown");
        var command = new Command("rules", "List the readiness rules: id, severity, scope and title (markdown gives the full documentation).") { format };
        command.SetAction(parse =>
        {
            switch (parse.GetValue(format))
            {
                case "json":
                    WriteJson();
                    break;
                case "markdown":
                    Console.Out.Write(RuleDocs.Markdown(RuleCatalog.All));
                    break;
                default:
                    foreach (var rule in RuleCatalog.All.Select(r => r.Descriptor))
                    {
                        var scope = rule.Scope == RuleScope.ProductionOnly ? "production" : "all";
                        Console.Out.WriteLine($"{rule.Id,-10} {ReportInput.SeverityWord(rule.Severity),-8} {scope,-11} {rule.Title}");
                    }

                    Console.Out.WriteLine($"\n{RuleCatalog.All.Count} rules. ward check --explain RULE prints one in full.");
                    break;
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary><c>ward check --explain RULE</c>.</summary>
    public static int Explain(string id)
    {
        if (RuleCatalog.Find(id) is not { } rule)
        {
            Console.Error.WriteLine($"ward: there is no rule '{id}'; `ward rules` lists them");
            return ExitCodes.Usage;
        }

        Console.Out.Write(RuleDocs.Text(rule.Descriptor));
        return ExitCodes.Ok;
    }

    private static void WriteJson()
    {
        using var stdout = Console.OpenStandardOutput();
        using (var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var rule in RuleCatalog.All.Select(r => r.Descriptor))
            {
                json.WriteStartObject();
                json.WriteString("id", rule.Id);
                json.WriteString("title", rule.Title);
                json.WriteString("severity", ReportInput.SeverityWord(rule.Severity));
                json.WriteString("scope", rule.Scope == RuleScope.ProductionOnly ? "production" : "all");
                json.WriteString("kind", rule.Kind == RuleKind.Attest ? "attest" : "auto");
                json.WriteString("why", rule.Why);
                json.WriteString("fix", rule.Fix);
                json.WriteString("source", rule.Source);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        stdout.Write("\n"u8);
    }
}
