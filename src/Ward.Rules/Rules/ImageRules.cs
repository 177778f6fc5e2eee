using Ward.Model.Diagnostics;

namespace Ward.Rules.Rules;

/// <summary>Splits image references into registry, repository, tag and digest.</summary>
internal static class ImageReference
{
    public static (string? Registry, string? Tag, string? Digest) Parse(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        var digest = at >= 0 ? image[(at + 1)..] : null;
        var name = at >= 0 ? image[..at] : image;
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        var first = slash >= 0 ? name[..slash] : null;
        var registry = first is not null && (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost") ? first : null;
        var lastSegment = name[(name.LastIndexOf('/') + 1)..];
        var colon = lastSegment.IndexOf(':', StringComparison.Ordinal);
        return (registry, colon >= 0 ? lastSegment[(colon + 1)..] : null, digest);
    }
}

/// <summary>IMG-001: images are pinned.</summary>
public sealed class ImageTagRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "IMG-001",
        Title = "Images have a fixed tag",
        Severity = Severity.Error,
        Why = "With no tag, `latest` or another moving tag, replicas can run different versions and a deploy cannot be reproduced or rolled back. In production a digest (@sha256:...) pins the exact image (information).",
        Fix = "Use an explicit version tag, e.g. `image: registry.example.org/clinic/web:1.4.2` (or pin a digest).",
        Source = "Polaris tagNotSpecified; kube-score container-image-tag; hadolint DL3006/DL3007; Docker services (\"not recommended to run services using a tag which is updated frequently\").",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services.Where(s => !string.IsNullOrEmpty(s.Image)))
        {
            var (_, tag, digest) = ImageReference.Parse(service.Image!);
            if (digest is not null)
            {
                continue;
            }

            if (tag is null || context.Options.FloatingTags.Contains(tag, StringComparer.OrdinalIgnoreCase))
            {
                yield return Report(PathOf(service, "image"), $"service {service.Name} uses {(tag is null ? "no tag (latest)" : $"the moving tag '{tag}'")} in {service.Image}", subject: $"service {service.Name}", value: service.Image);
            }
            else if (context.IsProduction)
            {
                yield return Report(PathOf(service, "image"), $"service {service.Name} pins a tag, not a digest: {service.Image}", Severity.Info, $"service {service.Name}", service.Image);
            }
        }
    }
}

/// <summary>IMG-002: images are small (needs the cluster's image metadata).</summary>
public sealed class ImageSizeRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "IMG-002",
        Title = "Images are small",
        Severity = Severity.Warning,
        NeedsLiveData = "image sizes from a connected cluster",
        Why = "Small images pull and start faster, which matters most when tasks are rescheduled after a node failure.",
        Fix = "Use a slim or distroless base, multi-stage builds, and remove caches and docs; aim under 500 MB.",
        Source = "MedStack Go to Production (\"keep images small\"); Docker development best practices; dockle DKL-LI-0003.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services.Where(s => !string.IsNullOrEmpty(s.Image)))
        {
            if (context.Live?.ImageSize(service.Image!) is { } size && size > context.Options.ImageSizeBudgetBytes)
            {
                yield return Report(PathOf(service, "image"), $"image {service.Image} is {size / 1_000_000} MB, over the {context.Options.ImageSizeBudgetBytes / 1_000_000} MB budget", subject: $"service {service.Name}", value: service.Image);
            }
        }
    }
}

/// <summary>IMG-003: images come from allowed registries.</summary>
public sealed class ImageRegistryRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "IMG-003",
        Title = "Images come from an allowed registry",
        Severity = Severity.Warning,
        Why = "An allow-list of registries is supply-chain control: images come only from places the team trusts. The rule checks nothing until the allow-list is configured.",
        Fix = "Pull images from an allowed registry, or add the registry to the allow-list in Ward's configuration.",
        Source = "hadolint DL3026 (trustedRegistries); CIS Docker Benchmark 4.2; dockle CIS-DI-0002.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        var allowed = context.Options.AllowedRegistries;
        if (allowed.Count == 0)
        {
            yield break;
        }

        foreach (var service in context.Spec.Services.Where(s => !string.IsNullOrEmpty(s.Image)))
        {
            var registry = ImageReference.Parse(service.Image!).Registry ?? "docker.io";
            if (!allowed.Contains(registry, StringComparer.OrdinalIgnoreCase))
            {
                yield return Report(PathOf(service, "image"), $"service {service.Name} pulls from {registry}, which is not among {string.Join(", ", allowed)}", subject: $"service {service.Name}", value: service.Image);
            }
        }
    }
}

/// <summary>IMG-004: containers run as a non-root user.</summary>
public sealed class NonRootRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "IMG-004",
        Title = "Runs as a non-root user",
        Severity = Severity.Warning,
        Why = "Root in the container is one kernel bug away from root on the node; a non-root user limits what an attacker can do.",
        Fix = "Set `user: \"10001:10001\"` (or the image's unprivileged user). Ward cannot see an image's USER until it is connected to a cluster.",
        Source = "CIS Docker Benchmark 4.1; hadolint DL3002; dockle CIS-DI-0001; Polaris runAsRootAllowed.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context) => context.Spec.Services
        .Where(s => s.User is null || IsRoot(s.User))
        .Select(s => Report(PathOf(s, "user"), $"service {s.Name} runs as {(s.User is null ? "the image's user (root unless the image says otherwise)" : "root")}", subject: $"service {s.Name}", value: s.User));

    private static bool IsRoot(string user) => user.Split(':')[0] is "root" or "0";
}
