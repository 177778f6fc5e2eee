namespace Ward.Engine.Desired;

/// <summary>
/// Image references in Docker's "familiar" form, as the Go client normalises them before creating a service:
/// a missing tag becomes <c>:latest</c> (unless a digest is given) and <c>docker.io/library/</c> is dropped.
/// </summary>
public static class ImageReference
{
    public static string Familiar(string image)
    {
        var reference = image;
        foreach (var prefix in new[] { "docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/" })
        {
            if (reference.StartsWith(prefix, StringComparison.Ordinal))
            {
                reference = reference[prefix.Length..];
                break;
            }
        }

        if (reference.Contains('@', StringComparison.Ordinal))
        {
            return reference;
        }

        var lastSegment = reference[(reference.LastIndexOf('/') + 1)..];
        return lastSegment.Contains(':', StringComparison.Ordinal) ? reference : reference + ":latest";
    }
}
