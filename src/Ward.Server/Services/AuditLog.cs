using Ward.Server.Auth;
using Ward.Store;
using Ward.Store.Audit;

namespace Ward.Server.Services;

/// <summary>Records changes and sign-ins in the hash-chained log: who, when, from where, what, before and after.</summary>
public sealed class AuditLog(StoreOptions store, TimeProvider time)
{
    public Task RecordAsync(HttpContext context, string actor, string action, string target, object? before = null, object? after = null) =>
        AuditChain.AppendAsync(store, new AuditEvent(actor, SourceOf(context), action, target, before, after), time, context.RequestAborted);

    public Task RecordAsync(HttpContext context, WardPrincipal principal, string action, string target, object? before = null, object? after = null) =>
        RecordAsync(context, principal.ViaToken ? $"{principal.UserName} (token)" : principal.UserName, action, target, before, after);

    /// <summary>The client's address and program, as far as the server can tell.</summary>
    private static string SourceOf(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var agent = context.Request.Headers.UserAgent.ToString();
        return agent.Length == 0 ? address : $"{address} ({(agent.Length > 80 ? agent[..80] : agent)})";
    }
}
