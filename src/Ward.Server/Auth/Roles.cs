namespace Ward.Server.Auth;

/// <summary>The roles, from least to most: each includes everything the ones before it may do.</summary>
public static class Roles
{
    public const string Viewer = "viewer";
    public const string Deployer = "deployer";
    public const string Admin = "admin";
    public const string Owner = "owner";

    public static readonly IReadOnlyList<string> All = [Viewer, Deployer, Admin, Owner];

    public static int Rank(string? role) => role is null ? -1 : All.ToList().IndexOf(role);

    public static bool IsValid(string role) => Rank(role) >= 0;

    public static bool AtLeast(string? role, string minimum) => Rank(role) >= Rank(minimum);

    public static string? Lower(string? a, string? b) => Rank(a) <= Rank(b) ? a : b;

    /// <summary>Owners and admins always sign in with a second factor.</summary>
    public static bool RequiresTwoFactor(string? highestRole) => AtLeast(highestRole, Admin);
}
