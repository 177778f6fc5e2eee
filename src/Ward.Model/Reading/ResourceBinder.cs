using Ward.Model.Compose.Schema;
using Ward.Model.Diagnostics;
using Ward.Model.Spec;
using Ward.Model.Yaml;

namespace Ward.Model.Reading;

/// <summary>
/// Binds the top-level networks, volumes, secrets and configs, with the consistency checks the CLI makes when it
/// loads them (e.g. an external volume cannot also set a driver; a secret's driver and file conflict).
/// </summary>
internal sealed class ResourceBinder(DiagnosticBag diagnostics, ComposeVersion version)
{
    public ValueList<NetworkSpec> Networks(YNode? section) => section.Entries().Select(e =>
    {
        var path = ModelPath.Root.Child("networks").Child(e.Key);
        var (external, name) = External(e.Value, e.Key, "network", path, deprecatedFrom: new ComposeVersion(3, 5));
        return new NetworkSpec
        {
            Key = e.Key,
            Name = name,
            Driver = e.Value.Get("driver").Text(),
            DriverOpts = e.Value.Get("driver_opts").Labels(),
            External = external,
            Attachable = e.Value.Get("attachable").Bool() ?? false,
            Internal = e.Value.Get("internal").Bool() ?? false,
            Labels = e.Value.Get("labels").Labels(),
            Subnets = e.Value.Get("ipam").Get("config").Items().Select(c => c.Get("subnet").Text()).OfType<string>().ToValueList(),
        };
    }).ToValueList();

    public ValueList<VolumeSpec> Volumes(YNode? section) => section.Entries().Select(e =>
    {
        var path = ModelPath.Root.Child("volumes").Child(e.Key);
        var (external, name) = External(e.Value, e.Key, "volume", path, deprecatedFrom: new ComposeVersion(3, 4));
        if (external)
        {
            // Like the CLI: only a value that sets something conflicts (driver: "" or labels: {} do not), in this order.
            foreach (var key in new[] { "driver", "driver_opts", "labels" })
            {
                if (e.Value.Get(key) is { } conflicting && conflicting is not (YScalar { Value: "" } or YMapping { Entries.Count: 0 } or YSequence { Items.Count: 0 }))
                {
                    diagnostics.Error(DiagnosticCodes.Schema, path.Child(key).ToString(), $"an external volume cannot set '{key}': the volume already exists; remove '{key}' or 'external'", conflicting.Location);
                    break;
                }
            }
        }

        return new VolumeSpec
        {
            Key = e.Key,
            Name = name,
            Driver = e.Value.Get("driver").Text(),
            DriverOpts = e.Value.Get("driver_opts").Labels(),
            External = external,
            Labels = e.Value.Get("labels").Labels(),
        };
    }).ToValueList();

    public ValueList<SecretSpec> Secrets(YNode? section) => section.Entries().Select(e =>
    {
        var path = ModelPath.Root.Child("secrets").Child(e.Key);
        var (external, name) = External(e.Value, e.Key, "secret", path, deprecatedFrom: new ComposeVersion(3, 5));
        // The CLI checks this only for a secret it creates: an external one ignores both.
        if (!external && e.Value.Get("driver") is YScalar { Value.Length: > 0 } driver && e.Value.Get("file").Text() is { Length: > 0 })
        {
            diagnostics.Error(DiagnosticCodes.Schema, path.Child("driver").ToString(), "a secret takes its value from 'driver' or from 'file', not both", driver.Location);
        }

        return new SecretSpec
        {
            Key = e.Key,
            Name = name,
            File = e.Value.Get("file").Text(),
            External = external,
            Labels = e.Value.Get("labels").Labels(),
            Driver = e.Value.Get("driver").Text(),
            TemplateDriver = e.Value.Get("template_driver").Text(),
        };
    }).ToValueList();

    public ValueList<ConfigSpec> Configs(YNode? section) => section.Entries().Select(e =>
    {
        var path = ModelPath.Root.Child("configs").Child(e.Key);
        var (external, name) = External(e.Value, e.Key, "config", path, deprecatedFrom: new ComposeVersion(3, 5));
        return new ConfigSpec
        {
            Key = e.Key,
            Name = name,
            File = e.Value.Get("file").Text(),
            External = external,
            Labels = e.Value.Get("labels").Labels(),
            TemplateDriver = e.Value.Get("template_driver").Text(),
        };
    }).ToValueList();

    /// <summary>
    /// Reads <c>external</c> (a boolean or <c>{name}</c>) and <c>name</c>. <c>external.name</c> and <c>name</c> together
    /// are refused; <c>external.name</c> alone is deprecated in favour of <c>name</c> from a version on.
    /// </summary>
    private (bool External, string? Name) External(YNode node, string key, string kind, ModelPath path, ComposeVersion deprecatedFrom)
    {
        var externalNode = node.Get("external");
        var name = node.Get("name").Text();
        if (externalNode is YMapping)
        {
            var externalName = externalNode.Get("name").Text();
            if (externalName is not null && name is not null)
            {
                diagnostics.Error(DiagnosticCodes.Schema, path.Child("external").ToString(), $"{kind} '{key}' sets both external.name and name; keep only name", externalNode.Location);
            }
            else if (externalName is not null && version >= deprecatedFrom)
            {
                diagnostics.Info(DiagnosticCodes.Deprecated, path.Child("external").Child("name").ToString(), $"external.name is deprecated for a {kind}; write 'name: {externalName}' with 'external: true'", externalNode.Location);
            }

            return (true, name ?? externalName);
        }

        return (externalNode.Bool() ?? false, name);
    }
}
