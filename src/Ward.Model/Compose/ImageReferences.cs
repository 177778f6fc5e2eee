using System.Text.RegularExpressions;

namespace Ward.Model.Compose;

/// <summary>
/// Docker image references as the engine and the CLI check them (distribution/reference: ParseNormalizedNamed,
/// ParseAnyReference), with the same error texts. <c>docker stack config</c> accepts any string as an image; <c>docker
/// stack deploy</c> refuses the whole file before creating anything when one is invalid, and the engine refuses a
/// service whose image it cannot parse.
/// </summary>
public static partial class ImageReferences
{
    /// <summary>The CLI's text for a service with no image (absent, empty, or an unset variable).</summary>
    public const string NoImage = "no image specified";

    private const int NameLengthMax = 255;

    /// <summary>
    /// Why <c>docker stack deploy</c> refuses the image, or null when it accepts it. The CLI also accepts a bare image id
    /// (64 hex digits) and a digest, which the engine then refuses (see <see cref="EngineProblem"/>).
    /// </summary>
    public static string? CliProblem(string? image) =>
        string.IsNullOrEmpty(image) ? NoImage
        : ImageId().IsMatch(image) || DigestProblem(image) is null ? null
        : EngineProblem(image);

    /// <summary>Why the engine refuses the image of a service it is asked to create, or null when it accepts it.</summary>
    public static string? EngineProblem(string? image)
    {
        if (string.IsNullOrEmpty(image))
        {
            return NoImage;
        }

        if (ImageId().IsMatch(image))
        {
            return $"invalid repository name ({image}), cannot specify 64-byte hexadecimal strings";
        }

        var (domain, remainder) = SplitDomain(image);
        var tagAt = remainder.IndexOf(':', StringComparison.Ordinal);
        var remoteName = tagAt >= 0 ? remainder[..tagAt] : remainder;
        if (!string.Equals(remoteName.ToLowerInvariant(), remoteName, StringComparison.Ordinal))
        {
            return $"invalid reference format: repository name ({remoteName}) must be lowercase";
        }

        var match = Reference().Match($"{domain}/{remainder}");
        if (!match.Success)
        {
            return Reference().IsMatch($"{domain}/{remainder}".ToLowerInvariant())
                ? "invalid reference format: repository name must be lowercase"
                : "invalid reference format";
        }

        if (match.Groups["name"].Length > NameLengthMax)
        {
            return $"repository name must not be more than {NameLengthMax} characters";
        }

        return match.Groups["digest"].Success ? DigestProblem(match.Groups["digest"].Value) : null;
    }

    /// <summary>
    /// The registry and the rest, as the engine normalises a familiar name: no registry means docker.io, and an official
    /// image (one path component on docker.io) is under library/.
    /// </summary>
    private static (string Domain, string Remainder) SplitDomain(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        var (domain, remainder) = slash < 0 || IsPlainPathComponent(name[..slash])
            ? ("docker.io", name)
            : (name[..slash], name[(slash + 1)..]);
        if (domain == "index.docker.io")
        {
            domain = "docker.io";
        }

        return domain == "docker.io" && !remainder.Contains('/', StringComparison.Ordinal) ? (domain, "library/" + remainder) : (domain, remainder);
    }

    private static bool IsPlainPathComponent(string first) =>
        first.IndexOfAny(['.', ':']) < 0 && first != "localhost" && string.Equals(first.ToLowerInvariant(), first, StringComparison.Ordinal);

    /// <summary>The checks of go-digest's Digest.Validate: sha256, sha384 or sha512 with lower-case hex of the right length.</summary>
    private static string? DigestProblem(string digest)
    {
        var colon = digest.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon + 1 == digest.Length)
        {
            return "invalid checksum digest format";
        }

        var hexLength = digest[..colon] switch
        {
            "sha256" => 64,
            "sha384" => 96,
            "sha512" => 128,
            _ => 0,
        };
        var encoded = digest[(colon + 1)..];
        if (hexLength == 0)
        {
            return Digest().IsMatch(digest) ? "unsupported digest algorithm" : "invalid checksum digest format";
        }

        return encoded.Length != hexLength ? "invalid checksum digest length"
            : encoded.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f') ? null
            : "invalid checksum digest format";
    }

    // The grammar of distribution/reference (regexp.go); \z rather than $, which .NET also matches before a final
    // line break, and [0-9A-Za-z_] rather than \w, which in .NET takes every Unicode letter.
    private const string PathComponent = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private const string DomainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private const string Domain = $@"(?:{DomainComponent}(?:\.{DomainComponent})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?";
    private const string Tag = "[0-9A-Za-z_][0-9A-Za-z_.-]{0,127}";
    private const string DigestPattern = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";

    [GeneratedRegex($@"\A(?<name>(?:{Domain}/)?{PathComponent}(?:/{PathComponent})*)(?::(?<tag>{Tag}))?(?:@(?<digest>{DigestPattern}))?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Reference();

    [GeneratedRegex($@"\A{DigestPattern}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Digest();

    [GeneratedRegex(@"\A[a-f0-9]{64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ImageId();
}
