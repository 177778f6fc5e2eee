using System.Reflection;

namespace Ward.Server;

/// <summary>
/// Serves the web console from files embedded in this assembly (Console/wwwroot): index.html for the console's
/// routes, the scripts and styles under /assets/.
/// </summary>
public static class ConsoleFiles
{
    private static readonly Assembly Assembly = typeof(ConsoleFiles).Assembly;

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
    };

    public static void Map(WebApplication app)
    {
        app.MapGet("/", () => Serve("index.html")).ExcludeFromDescription().AllowAnonymous();
        app.MapGet("/assets/{*file}", (string file) => Serve(file)).ExcludeFromDescription().AllowAnonymous();
    }

    private static IResult Serve(string file)
    {
        var name = "console/" + file.Replace('\\', '/').TrimStart('/');
        if (name.Contains("..", StringComparison.Ordinal))
        {
            return Results.NotFound();
        }

        var stream = Assembly.GetManifestResourceStream(name);
        return stream is null
            ? Results.NotFound()
            : Results.Stream(stream, ContentTypes.GetValueOrDefault(Path.GetExtension(name), "application/octet-stream"));
    }
}
