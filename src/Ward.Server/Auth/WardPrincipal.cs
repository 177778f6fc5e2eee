namespace Ward.Server.Auth;

/// <summary>A role given globally (Environment null) or in one environment.</summary>
public sealed record Grant(string Role, string? Environment);

/// <summary>
/// Who is calling and what they may do: the user's grants, and when calling with a token, the token's cap
/// (a role, possibly one environment). Built once per user or token and cached.
/// </summary>
public sealed record WardPrincipal(Guid UserId, string UserName, IReadOnlyList<Grant> Grants)
{
    public string? TokenRole { get; init; }

    public string? TokenEnvironment { get; init; }

    public bool ViaToken => TokenRole is not null;

    /// <summary>The user's role in an environment: the higher of the global and the environment grant, capped by the token.</summary>
    public string? RoleIn(string? environment)
    {
        if (ViaToken && TokenEnvironment is not null && environment != TokenEnvironment)
        {
            return null;
        }

        string? best = null;
        foreach (var grant in Grants)
        {
            if ((grant.Environment is null || grant.Environment == environment) && Roles.Rank(grant.Role) > Roles.Rank(best))
            {
                best = grant.Role;
            }
        }

        return ViaToken ? Roles.Lower(best, TokenRole) : best;
    }

    /// <summary>The highest role the caller may use in some environment or globally, capped by the token.</summary>
    public string? RoleAnywhere =>
        ViaToken && TokenEnvironment is not null
            ? RoleIn(TokenEnvironment)
            : Grants.Select(g => RoleIn(g.Environment)).OrderByDescending(Roles.Rank).FirstOrDefault();

    /// <summary>The highest role anywhere (for two-factor requirements and menus).</summary>
    public string? HighestRole => Grants.Select(g => g.Role).OrderByDescending(Roles.Rank).FirstOrDefault();

    /// <summary>The environments the principal may see: all (null) with a global grant, else the granted ones.</summary>
    public IReadOnlySet<string>? VisibleEnvironments =>
        (ViaToken && TokenEnvironment is not null) ? new HashSet<string> { TokenEnvironment }
        : Grants.Any(g => g.Environment is null) ? null
        : Grants.Select(g => g.Environment!).ToHashSet(StringComparer.Ordinal);
}
