using System.Globalization;

namespace Ward.Model.Spec;

/// <summary>A compose file format version (3.0 to 3.13); some keys need a minimum version.</summary>
public readonly record struct ComposeVersion(int Major, int Minor) : IComparable<ComposeVersion>
{
    /// <summary>What the CLI reads a file as when its version is absent, "" or "3": its newest schema.</summary>
    public static readonly ComposeVersion Latest = new(3, 13);

    public static bool TryParse(string text, out ComposeVersion version)
    {
        version = default;
        var parts = text.Split('.');
        if (parts.Length is < 1 or > 2 ||
            !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major))
        {
            return false;
        }

        var minor = 0;
        if (parts.Length == 2 && !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out minor))
        {
            return false;
        }

        version = new ComposeVersion(major, minor);
        return true;
    }

    public int CompareTo(ComposeVersion other) => (Major, Minor).CompareTo((other.Major, other.Minor));

    public static bool operator <(ComposeVersion left, ComposeVersion right) => left.CompareTo(right) < 0;

    public static bool operator >(ComposeVersion left, ComposeVersion right) => left.CompareTo(right) > 0;

    public static bool operator <=(ComposeVersion left, ComposeVersion right) => left.CompareTo(right) <= 0;

    public static bool operator >=(ComposeVersion left, ComposeVersion right) => left.CompareTo(right) >= 0;

    public override string ToString() => $"{Major}.{Minor}";
}
