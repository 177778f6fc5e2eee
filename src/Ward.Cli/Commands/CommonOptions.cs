using System.CommandLine;

namespace Ward.Cli.Commands;

/// <summary>Options several commands share, with one description each.</summary>
internal static class CommonOptions
{
    public static Argument<string> EnvironmentFile() => new("FILE")
    {
        Description = "The environment file: a Docker stack file (compose format 3.x) with an x-ward section.",
    };

    public static Option<string?> EnvFile() => new("--env-file")
    {
        Description = "A file of NAME=value lines for ${VAR} interpolation; the process environment wins over it.",
        HelpName = "PATH",
    };

    public static Option<string?> Catalog() => new("--catalog")
    {
        Description = "A YAML file of extra node sizes and database tiers (default: $WARD_CATALOG, if set).",
        HelpName = "PATH",
    };

    public static Option<string> Format(params string[] formats)
    {
        var option = new Option<string>("--format")
        {
            Description = $"Output format: {string.Join(", ", formats)}.",
            DefaultValueFactory = _ => formats[0],
        };
        option.AcceptOnlyFromAmong(formats);
        return option;
    }

    public static Option<string> Color()
    {
        var option = new Option<string>("--color")
        {
            Description = "Colour the text output: auto (on a terminal without NO_COLOR), always or never.",
            DefaultValueFactory = _ => "auto",
        };
        option.AcceptOnlyFromAmong("auto", "always", "never");
        return option;
    }
}
