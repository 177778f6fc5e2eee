using System.Text;
using Ward.Model.Compose;
using Ward.Model.Diagnostics;
using Ward.Model.Reading;
using Ward.Model.Spec;

namespace Ward.Model.Tests.Support;

/// <summary>Reads YAML text the way the CLI does, and states what the tests expect of the result.</summary>
internal static class Reader
{
    public const string FileName = "env.yml";

    /// <summary>Reads <paramref name="yaml"/> with the given variables (the process environment of a real run).</summary>
    public static ReadResult Read(string yaml, IReadOnlyDictionary<string, string>? variables = null, string? directory = null) =>
        ReadBytes(Encoding.UTF8.GetBytes(yaml), variables, directory);

    public static ReadResult ReadBytes(byte[] bytes, IReadOnlyDictionary<string, string>? variables = null, string? directory = null) =>
        EnvironmentFileReader.ReadBytes(bytes, FileName, directory ?? Path.GetTempPath(), Options(variables));

    public static ReaderOptions Options(IReadOnlyDictionary<string, string>? variables = null) =>
        new() { Variables = new VariableSource(variables ?? new Dictionary<string, string>()) };

    public static Dictionary<string, string> Vars(params string[] pairs) =>
        pairs.Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    /// <summary>The file must read; returns its spec.</summary>
    public static EnvironmentSpec Reads(string yaml, IReadOnlyDictionary<string, string>? variables = null)
    {
        var result = Read(yaml, variables);
        Assert.True(result.Spec is not null, $"expected the file to read, but:\n{Describe(result)}");
        return result.Spec!;
    }

    /// <summary>The file must read; returns the service named <paramref name="name"/>.</summary>
    public static ServiceSpec Service(string yaml, string name = "web", IReadOnlyDictionary<string, string>? variables = null)
    {
        var service = Reads(yaml, variables).FindService(name);
        Assert.NotNull(service);
        return service;
    }

    /// <summary>The file must be refused with an error of <paramref name="code"/> at <paramref name="path"/>; returns it.</summary>
    public static Diagnostic Refused(string yaml, string code, string path, IReadOnlyDictionary<string, string>? variables = null) =>
        Refused(Read(yaml, variables), code, path);

    public static Diagnostic Refused(ReadResult result, string code, string path)
    {
        Assert.True(result.Spec is null, $"expected the file to be refused ({code} at '{path}'), but it reads:\n{Describe(result)}");
        var found = result.Diagnostics.FirstOrDefault(d => d.Code == code && d.Path == path && d.BlocksReading);
        Assert.True(found is not null, $"expected a blocking {code} at '{path}', found:\n{Describe(result)}");
        Assert.NotNull(found.Location);
        Assert.Equal(FileName, found.Location.Value.File);
        return found;
    }

    /// <summary>The file must read, with a non-blocking diagnostic of <paramref name="code"/> at <paramref name="path"/>.</summary>
    public static Diagnostic ReadsWith(string yaml, string code, string path, IReadOnlyDictionary<string, string>? variables = null)
    {
        var result = Read(yaml, variables);
        Assert.True(result.Spec is not null, $"expected the file to read, but:\n{Describe(result)}");
        var found = result.Diagnostics.FirstOrDefault(d => d.Code == code && d.Path == path);
        Assert.True(found is not null, $"expected {code} at '{path}', found:\n{Describe(result)}");
        Assert.False(found.BlocksReading);
        return found;
    }

    /// <summary>Asserts that a message names each of <paramref name="parts"/> (what was found, what is allowed).</summary>
    public static void Names(Diagnostic diagnostic, params string[] parts)
    {
        foreach (var part in parts)
        {
            Assert.True(diagnostic.Message.Contains(part, StringComparison.Ordinal), $"the message should name '{part}': {diagnostic.Message}");
        }
    }

    public static string Describe(ReadResult result) =>
        result.Diagnostics.Count == 0 ? "  (no diagnostics)" : string.Join("\n", result.Diagnostics.Select(d => $"  {d}{(d.BlocksReading ? "" : " [does not block]")}"));

    /// <summary>A minimal file around one service body, indented under <c>services.web</c>.</summary>
    public static string WebService(string body, string version = "3.13") =>
        $"version: \"{version}\"\nservices:\n  web:\n    image: nginx:1.27\n" + string.Join("\n", body.Split('\n').Select(l => "    " + l)) + "\n";
}
