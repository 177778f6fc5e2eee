namespace Ward.Rules;

/// <summary>
/// A readiness rule: a pure function from the environment to findings. One small class per rule; rules are
/// discovered together by <see cref="RuleCatalog"/>.
/// </summary>
public interface IRule
{
    RuleDescriptor Descriptor { get; }

    IEnumerable<Finding> Evaluate(RuleContext context);
}
