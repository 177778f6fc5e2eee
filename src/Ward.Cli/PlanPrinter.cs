using System.Text.Json;
using Ward.Deploying;
using Ward.Engine.Planning;
using Ward.Engine.Ports;

namespace Ward.Cli;

/// <summary>Shows a plan: text for people, the core's <see cref="PlanDocument"/> as JSON for machines.</summary>
internal static class PlanPrinter
{
    // Relaxed escaping: the plan's field values are JSON text themselves, and "\u0022" in every one of them reads badly.
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Text(TextWriter output, DeploymentPlan deployment, string target, bool color)
    {
        var plan = deployment.Plan;
        output.WriteLine($"Plan for {plan.Environment} on {target}:");
        if (!deployment.HasChanges)
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

        if (deployment.Routes is { } routes)
        {
            output.WriteLine(routes.Changes ? "  ~ load balancer routes:" : "  load balancer routes (unchanged):");
            foreach (var route in routes.Routes)
            {
                output.WriteLine($"      {route.Domain}: {route.Note}");
            }
        }

        if (deployment.Images.Pinning == ImagePinning.ImageId)
        {
            output.WriteLine($"  images: {string.Join(", ", deployment.Images.Pinned.Select(p => $"{p.Key} = {ImageResolution.ShortId(p.Value)}"))} (pinned by content on the local cluster's nodes)");
        }

        output.WriteLine($"{plan.Count(ChangeKind.Create)} to create, {plan.Count(ChangeKind.Update)} to update, {plan.Count(ChangeKind.Remove)} to remove.");
    }

    public static void Json(Stream output, DeploymentPlan deployment, string target)
    {
        JsonSerializer.Serialize(output, PlanDocument.Of(deployment, target), JsonOptions);
        output.Write("\n"u8);
    }

}
