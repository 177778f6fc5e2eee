using Ward.Model.Spec;

namespace Ward.Deploying.Switchover;

/// <summary>The switchover's steps in the order they run (issue 12, point 2), said for this environment.</summary>
public static class Runbook
{
    public static IReadOnlyList<RunbookStep> For(EnvironmentSpec spec)
    {
        var domains = Names(spec.Domains.Select(d => d.Name), "no domain (x-ward.domains)");
        var hosted = spec.Databases.Where(d => d.IsHosted).Select(d => d.Name).ToList();
        var services = Names(spec.Services.Select(s => s.Name), "no service");
        return
        [
            new("maintenance-page-up", "Put the maintenance page up at the load balancer",
                $"Ward's load balancer answers {domains} with the maintenance page; the legacy site keeps serving until DNS moves",
                "take the page down"),
            new("stop-writes", "Stop writes at the source",
                "the team's hook command, or a read-only role on the source database, so nothing changes after the final dump",
                "re-enable writes at the source"),
            new("move-data", "Final dump and restore, verified as the rehearsal was",
                hosted.Count == 0
                    ? "no database Ward hosts: nothing to move"
                    : $"dump the source and restore it into {string.Join(", ", hosted)}, then compare every table, sequence, extension and owner",
                "the legacy database is untouched; the restored copy is discarded"),
            new("start-services", "Start the application's services", $"scale up {services} at their file's replicas", "scale the production services to zero"),
            new("smoke-test", "Smoke-test through the domain", $"request the application's pages through {domains} and compare their statuses", "nothing to undo"),
            new("maintenance-page-down", "Take the maintenance page down", $"{domains} serve the application", "put the page back up"),
        ];
    }

    private static string Names(IEnumerable<string> names, string none)
    {
        var list = names.ToList();
        return list.Count == 0 ? none : string.Join(", ", list);
    }
}
