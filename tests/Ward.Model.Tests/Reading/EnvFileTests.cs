using Ward.Model.Compose;
using Ward.Model.Diagnostics;
using Ward.Model.Reading;
using static Ward.Model.Tests.Support.Reader;

namespace Ward.Model.Tests.Reading;

/// <summary>A service's env_file: read relative to the environment file, merged under its <c>environment</c>.</summary>
public sealed class EnvFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ward-envfile-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private ReadResult ReadWith(string yaml, IReadOnlyDictionary<string, string>? variables = null, params (string Name, string Text)[] files)
    {
        foreach (var (name, text) in files)
        {
            var path = Path.Combine(_directory, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }

        var file = Path.Combine(_directory, "stack.yml");
        File.WriteAllText(file, yaml);
        return EnvironmentFileReader.Read(file, Options(variables));
    }

    [Fact]
    public void Values_are_kept_verbatim_and_the_service_environment_wins()
    {
        var result = ReadWith(
            "services:\n  web:\n    image: nginx\n    env_file: [env/base.env, env/override.env]\n    environment: { A: from-yaml }",
            null,
            ("env/base.env", "# comment\n\nA=from-file\nB=\"quoted\" # kept\nC=$literal\n   D=lead\nE=\n"),
            ("env/override.env", "B=second\r\nF=x=y\n"));
        var environment = Assert.IsType<Spec.EnvironmentSpec>(result.Spec).Services[0].Environment;
        Assert.Equal(["A", "B", "C", "D", "E", "F"], environment.Keys);
        Assert.Equal(("from-yaml", "second", "$literal", "lead", "", "x=y"), (environment["A"], environment["B"], environment["C"], environment["D"], environment["E"], environment["F"]));
    }

    [Fact]
    public void A_value_in_the_file_keeps_quotes_and_hashes()
    {
        var result = ReadWith("services:\n  web: { image: nginx, env_file: a.env }", null, ("a.env", "Q=\"x\" # y\n"));
        Assert.Equal("\"x\" # y", result.Spec!.Services[0].Environment["Q"]);
    }

    [Fact]
    public void A_bare_name_takes_its_value_from_the_environment_or_is_dropped()
    {
        var result = ReadWith("services:\n  web: { image: nginx, env_file: a.env }", Vars("SET=from-host"), ("a.env", "SET\nUNSET\n"));
        var environment = result.Spec!.Services[0].Environment;
        Assert.Equal("from-host", environment["SET"]);
        Assert.False(environment.ContainsKey("UNSET"));
    }

    [Fact]
    public void The_last_duplicate_wins_and_a_bom_is_fine()
    {
        var result = ReadWith("services:\n  web: { image: nginx, env_file: a.env }", null, ("a.env", "\uFEFFA=1\nA=3\n"));
        Assert.Equal("3", result.Spec!.Services[0].Environment["A"]);
    }

    [Fact]
    public void The_path_is_interpolated()
    {
        var result = ReadWith("services:\n  web: { image: nginx, env_file: \"${STAGE}.env\" }", Vars("STAGE=prod"), ("prod.env", "A=1\n"));
        Assert.Equal("1", result.Spec!.Services[0].Environment["A"]);
    }

    [Fact]
    public void A_missing_file_is_refused_naming_where_it_was_looked_for()
    {
        var result = ReadWith("services:\n  web:\n    image: nginx\n    env_file: [a.env, nope.env]", null, ("a.env", "A=1\n"));
        var error = Assert.Single(result.Diagnostics, d => d.BlocksReading);
        Assert.Equal((DiagnosticCodes.File, "services.web.env_file"), (error.Code, error.Path));
        Names(error, "nope.env", Path.Combine(_directory, "nope.env"));
        Assert.Equal(4, error.Location!.Value.Line);
        Assert.Null(result.Spec);
    }

    [Theory]
    [InlineData("export D=1\n", "'export D'")]
    [InlineData("A =1\n", "'A '")]
    [InlineData("A\tB=1\n", "'A\tB'")]
    [InlineData("=x\n", "no variable name")]
    public void Malformed_lines_are_refused(string text, string named)
    {
        var result = ReadWith("services:\n  web: { image: nginx, env_file: bad.env }", null, ("bad.env", text));
        Assert.Null(result.Spec);
        Names(Assert.Single(result.Diagnostics, d => d.BlocksReading && d.Path == "services.web.env_file"), "bad.env", named);
    }

    [Fact]
    public void Invalid_utf8_is_refused()
    {
        File.WriteAllBytes(Path.Combine(_directory, "bin.env"), [(byte)'A', (byte)'=', 0xFF, (byte)'\n']);
        var result = ReadWith("services:\n  web: { image: nginx, env_file: bin.env }");
        Assert.Null(result.Spec);
        Assert.Contains(result.Diagnostics, d => d.BlocksReading && d.Path == "services.web.env_file");
    }

    [Fact]
    public void The_env_file_format_parses_directly()
    {
        var diagnostics = new DiagnosticBag();
        var values = EnvFile.Parse("A=1\n# c\nB\nC=\n", "x.env", diagnostics, new VariableSource(Vars("B=b")));
        Assert.Equal([new("A", "1"), new("B", "b"), new("C", "")], values);
        Assert.Empty(diagnostics.Items);
    }
}
