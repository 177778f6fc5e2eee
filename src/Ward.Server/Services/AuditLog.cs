using Ward.Server.Auth;
using Ward.Store;
using Ward.Store.Audit;

namespace Ward.Server.Services;

/// <summary>Records changes and sign-ins in the hash-chained log: who, when, from where, what, before and after.</summary>
public sealed class AuditLog(StoreOptions store, TimeProvider time)
{
    public Task RecordAsync(HttpContext context, string actor, string action, string target, object? before = null, object? after = null) =>
        AuditChain.AppendAsync(store, new AuditEvent(actor, SourceOf(context), action, target, before, after), time, context.RequestAborted);

    /// <summary>For work that outlives its request (an apply finishing): the source was captured while the request lived.</summary>
    public Task RecordAsync(string actor, string? source, string action, string target, object? before = null, object? after = null) =>
        AuditChain.AppendAsync(store, new AuditEvent(actor, source, action, target, before, after), time, CancellationToken.None);

    public Task RecordAsync(HttpContext context, WardPrincipal principal, string action, string target, object? before = null, object? after = null) =>
        RecordAsync(context, ActorOf(principal), action, target, before, after);

    public static string ActorOf(WardPrincipal principal) => principal.ViaToken ? $"{principal.UserName} (token)" : principal.UserName;

    /// <summary>The client's address and program, as far as the server can tell.</summary>
    public static string SourceOf(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var agent = context.Request.Headers.UserAgent.ToString();
        return agent.Length == 0 ? address : $"{address} ({(agent.Length > 80 ? agent[..80] : agent)})";
    }
}
