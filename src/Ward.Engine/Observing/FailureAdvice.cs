using System.Text.RegularExpressions;

namespace Ward.Engine.Observing;

/// <summary>
/// What to do about a service that is not running as it should, from the error its tasks report: the few causes that
/// account for most failed deploys (a missing image, no node that fits, a container that exits or fails its
/// healthcheck, an update rolled back), each with the next step.
/// </summary>
public static partial class FailureAdvice
{
    /// <param name="service">The service's name (the stack's scoped name), for the commands to run.</param>
    /// <param name="state">Its state: failed, degraded, progressing or converged.</param>
    /// <param name="lastError">The error its tasks or its update last reported.</param>
    /// <returns>The next step, or null when the service is fine or still starting.</returns>
    public static string? For(string service, string state, string? lastError)
    {
        if (state is "converged" or "progressing" && lastError is null)
        {
            return null;
        }

        var error = lastError ?? "";
        if (Contains(error, "No such image") || Contains(error, "image is missing"))
        {
            return "the image is missing on a node: bring it to every node (on the local cluster: ward image sync IMAGE, or scripts/build-images.sh for the sample), or push it to the registry the nodes pull from, then run ward apply";
        }

        if (Contains(error, "no suitable node"))
        {
            return "no node can take its tasks (constraints, reservations, max_replicas_per_node or a host port): ward check explains the placement rules; add or label a node, or relax the service's placement, then run ward apply";
        }

        if (Contains(error, "update paused") || Contains(error, "rollback"))
        {
            return $"its last update failed and was stopped or rolled back: fix what the update changed (the tasks' errors above say why it failed), then run ward apply; ward apply --restart {Unscoped(service)} retries the same spec";
        }

        if (ExitCode().Match(error) is { Success: true } exit)
        {
            var code = exit.Groups[1].Value;
            var hint = code == "137" ? " (137: killed, often for memory over its limit: raise deploy.resources.limits.memory)" : "";
            return $"its container exits with code {code}{hint}: read its logs (docker service logs {service} on a manager), fix the image, command, configuration or what it connects to, then run ward apply, or ward apply --restart {Unscoped(service)} if only something outside the file changed";
        }

        if (Contains(error, "unhealthy") || Contains(error, "health"))
        {
            return $"its healthcheck fails: read its logs (docker service logs {service}) and check the healthcheck command and start_period; then run ward apply";
        }

        if (Contains(error, "mount") || Contains(error, "secret") || Contains(error, "config"))
        {
            return "a mount, secret or config its tasks need is missing or refused on the node: check the paths and objects the error names, then run ward apply";
        }

        return state is "failed" or "degraded"
            ? $"see the error above and its logs (docker service logs {service}); once the cause is fixed, ward apply (or ward apply --restart {Unscoped(service)}) replaces its tasks"
            : null;
    }

    private static bool Contains(string text, string part) => text.Contains(part, StringComparison.OrdinalIgnoreCase);

    /// <summary>The service's name in the file: the scoped name without its stack prefix.</summary>
    private static string Unscoped(string service) => service[(service.IndexOf('_', StringComparison.Ordinal) + 1)..];

    [GeneratedRegex(@"non-zero exit \((\d+)\)")]
    private static partial Regex ExitCode();
}
