using System.Text;
using Ward.Model.Diagnostics;
using Ward.Model.Reading;
using Ward.Model.Spec;

namespace Ward.Rules;

/// <summary>Base class for rules: holds the descriptor and builds findings that carry its id.</summary>
public abstract class Rule : IRule
{
    public abstract RuleDescriptor Descriptor { get; }

    public abstract IEnumerable<Finding> Evaluate(RuleContext context);

    protected Finding Report(string path, string message, Severity? severity = null, string? subject = null, string? value = null) => new()
    {
        Rule = Descriptor.Id,
        Severity = severity ?? Descriptor.Severity,
        Path = path,
        Message = message,
        Subject = subject,
        Value = value,
    };

    /// <summary>The path of a service, or of a key below it: <c>Path(s, "deploy", "replicas")</c>.</summary>
    protected static string PathOf(ServiceSpec service, params string[] keys) => Paths.Service(service.Name, keys);
}

/// <summary>Paths into the environment file, formatted as the reader formats them.</summary>
public static class Paths
{
    public static string Service(string name, params string[] keys) => Under("services", name, keys);

    public static string Under(string section, string name, params string[] keys)
    {
        if (keys.Length <= 2 && EnvironmentFormat.IsPlainKey(section) && EnvironmentFormat.IsPlainKey(name) && Array.TrueForAll(keys, EnvironmentFormat.IsPlainKey))
        {
            // The common case, built in one allocation: rules make a path for every finding, tens of thousands on a large file.
            return keys.Length switch
            {
                0 => string.Concat(section, ".", name),
                1 => string.Join('.', section, name, keys[0]),
                _ => string.Join('.', section, name, keys[0], keys[1]),
            };
        }

        var text = new StringBuilder(section.Length + name.Length + 40);
        EnvironmentFormat.AppendKey(text, section);
        EnvironmentFormat.AppendKey(text, name);
        foreach (var key in keys)
        {
            EnvironmentFormat.AppendKey(text, key);
        }

        return text.ToString();
    }

    public static string Ward(params object[] segments) => EnvironmentFormat.Path(["x-ward", .. segments]);
}
