using System.Text.Json;
using Ward.Engine.Planning;

namespace Ward.Cli;

/// <summary>Shows a plan: text for people, JSON for machines.</summary>
internal static class PlanPrinter
{
    public static void Text(TextWriter output, Plan plan, string target, bool color)
    {
        output.WriteLine($"Plan for {plan.Environment} on {target}:");
        if (!plan.HasChanges)
        {
            output.WriteLine("  no changes: the swarm matches the file");
        }

        foreach (var step in plan.Steps)
        {
            var (mark, paint) = step.Change switch
            {
                ChangeKind.Create => ("+", "\e[32m"),
                ChangeKind.Update => ("~", "\e[33m"),
                _ => ("-", "\e[31m"),
            };
            var line = $"  {mark} {step.Target.ToString().ToLowerInvariant()} {step.Name}{(step.Reason is null ? "" : $"  ({step.Reason})")}";
            output.WriteLine(color ? paint + line + "\e[0m" : line);
            foreach (var field in step.Fields)
            {
                output.WriteLine($"      {field.Path}: {field.Before ?? "(none)"} → {field.After ?? "(none)"}");
            }
        }

        foreach (var warning in plan.Warnings)
        {
            output.WriteLine($"  ! {warning}");
        }

        output.WriteLine($"{plan.Count(ChangeKind.Create)} to create, {plan.Count(ChangeKind.Update)} to update, {plan.Count(ChangeKind.Remove)} to remove.");
    }

    public static void Json(Stream output, Plan plan, string target)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("environment", plan.Environment);
        json.WriteString("target", target);
        json.WriteBoolean("hasChanges", plan.HasChanges);
        json.WriteStartArray("steps");
        foreach (var step in plan.Steps)
        {
            json.WriteStartObject();
            json.WriteString("change", step.Change.ToString().ToLowerInvariant());
            json.WriteString("target", step.Target.ToString().ToLowerInvariant());
            json.WriteString("name", step.Name);
            if (step.Reason is not null)
            {
                json.WriteString("reason", step.Reason);
            }

            json.WriteStartArray("fields");
            foreach (var field in step.Fields)
            {
                json.WriteStartObject();
                json.WriteString("path", field.Path);
                json.WriteString("before", field.Before);
                json.WriteString("after", field.After);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("warnings");
        plan.Warnings.ToList().ForEach(json.WriteStringValue);
        json.WriteEndArray();
        json.WriteStartObject("summary");
        json.WriteNumber("create", plan.Count(ChangeKind.Create));
        json.WriteNumber("update", plan.Count(ChangeKind.Update));
        json.WriteNumber("remove", plan.Count(ChangeKind.Remove));
        json.WriteEndObject();
        json.WriteEndObject();
        json.Flush();
        output.Write("\n"u8);
    }
}
