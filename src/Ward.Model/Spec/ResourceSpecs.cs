namespace Ward.Model.Spec;

/// <summary>A top-level network of the stack file.</summary>
public sealed record NetworkSpec
{
    /// <summary>The key under <c>networks:</c>.</summary>
    public required string Key { get; init; }

    /// <summary>An explicit <c>name:</c>, which replaces the stack-prefixed name.</summary>
    public string? Name { get; init; }

    public string? Driver { get; init; }

    public ValueMap<string> DriverOpts { get; init; } = ValueMap<string>.Empty;

    public bool External { get; init; }

    public bool Attachable { get; init; }

    public bool Internal { get; init; }

    public ValueMap<string> Labels { get; init; } = ValueMap<string>.Empty;

    public ValueList<string> Subnets { get; init; } = ValueList<string>.Empty;

    /// <summary>True when <c>driver_opts.encrypted</c> is set (IPsec between nodes).</summary>
    public bool Encrypted => DriverOpts.ContainsKey("encrypted");
}

/// <summary>A top-level named volume.</summary>
public sealed record VolumeSpec
{
    public required string Key { get; init; }

    public string? Name { get; init; }

    /// <summary>The volume driver; null means <c>local</c>, which keeps the data on one node.</summary>
    public string? Driver { get; init; }

    public ValueMap<string> DriverOpts { get; init; } = ValueMap<string>.Empty;

    public bool External { get; init; }

    public ValueMap<string> Labels { get; init; } = ValueMap<string>.Empty;

    public bool IsNodeLocal => Driver is null or "local";
}

/// <summary>What a secret or config is made of: a file next to the environment file, or an object that already exists.</summary>
public abstract record FileObjectSpec
{
    public required string Key { get; init; }

    public string? Name { get; init; }

    /// <summary>The file the content is read from, as written (relative to the environment file).</summary>
    public string? File { get; init; }

    public bool External { get; init; }

    public ValueMap<string> Labels { get; init; } = ValueMap<string>.Empty;

    public string? TemplateDriver { get; init; }
}

public sealed record SecretSpec : FileObjectSpec
{
    public string? Driver { get; init; }
}

public sealed record ConfigSpec : FileObjectSpec;
