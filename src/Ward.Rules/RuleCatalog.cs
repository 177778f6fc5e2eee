namespace Ward.Rules;

/// <summary>All rules, discovered together from this assembly: adding a rule is adding a class.</summary>
public static class RuleCatalog
{
    private static readonly Lazy<IReadOnlyList<IRule>> AllRules = new(Discover);

    public static IReadOnlyList<IRule> All => AllRules.Value;

    public static IRule? Find(string id) =>
        All.FirstOrDefault(r => string.Equals(r.Descriptor.Id, id, StringComparison.OrdinalIgnoreCase));

    private static IReadOnlyList<IRule> Discover() =>
    [
        .. typeof(RuleCatalog).Assembly.GetTypes()
            .Where(t => t is { IsAbstract: false, IsClass: true } && typeof(IRule).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (IRule)Activator.CreateInstance(t)!)
            .OrderBy(r => r.Descriptor.Id, StringComparer.Ordinal),
    ];
}
