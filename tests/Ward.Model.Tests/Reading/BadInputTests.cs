using System.Text;
using Ward.Model.Diagnostics;
using Ward.Model.Reading;
using static Ward.Model.Tests.Support.Reader;

namespace Ward.Model.Tests.Reading;

/// <summary>Hostile and broken files: each is refused with a located error, never an exception.</summary>
public sealed class BadInputTests
{
    /// <summary>No exception escapes, the spec is null and at least one error names the file and a position.</summary>
    private static ReadResult RefusedCleanly(byte[] bytes, string? code = null)
    {
        var result = ReadBytes(bytes);
        Assert.True(result.Spec is null, $"expected a refusal, but it reads:\n{Describe(result)}");
        var errors = result.Diagnostics.Where(d => d.BlocksReading).ToList();
        Assert.NotEmpty(errors);
        Assert.Contains(errors, e => e.Location is { File: FileName, Line: >= 1, Column: >= 1 });
        if (code is not null)
        {
            Assert.Contains(errors, e => e.Code == code);
        }

        return result;
    }

    private static ReadResult RefusedCleanly(string text, string? code = null) => RefusedCleanly(Encoding.UTF8.GetBytes(text), code);

    [Theory]
    [InlineData("services: [unclosed")]
    [InlineData("services:\n  web:\n image: nginx\n   user: x\n")]
    [InlineData("key: 'unterminated\n")]
    [InlineData("a: b: c\n")]
    [InlineData("- a\nb: c\n")]
    [InlineData("{{{{")]
    [InlineData("]]]")]
    [InlineData("services:\n  web:\n    image: \"nginx\n  :latest\"\n")]
    public void Text_that_is_not_yaml(string text)
    {
        RefusedCleanly(text, DiagnosticCodes.Yaml);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("---\n")]
    [InlineData("hello\n")]
    [InlineData("null\n")]
    [InlineData("42\n")]
    [InlineData("- services\n- web\n")]
    [InlineData("[]\n")]
    public void Documents_that_are_not_a_mapping(string text)
    {
        var error = Assert.Single(RefusedCleanly(text, DiagnosticCodes.Schema).Diagnostics);
        Names(error, "the top level must be a mapping");
    }

    [Fact]
    public void A_file_that_is_a_list_says_what_it_found()
    {
        Names(Assert.Single(RefusedCleanly("- services\n- web\n").Diagnostics), "found a list");
    }

    [Theory]
    [InlineData("services: 5\n", "services")]
    [InlineData("services: [web]\n", "services")]
    [InlineData("services:\n  web: 5\n", "services.web")]
    [InlineData("services:\n  web: [image]\n", "services.web")]
    [InlineData("services:\n  web:\n", "services.web")]
    [InlineData("services:\n  web: { image: [nginx] }\n", "services.web.image")]
    [InlineData("volumes: [a]\n", "volumes")]
    [InlineData("1: x\nservices: {}\n", "")]
    [InlineData("true: x\n", "")]
    [InlineData("\"\": x\n", "[\"\"]")]
    public void Wrong_types(string text, string path)
    {
        var result = RefusedCleanly(text, DiagnosticCodes.Schema);
        Assert.Contains(result.Diagnostics, d => d.Path == path);
    }

    [Fact]
    public void Duplicate_keys_are_each_reported()
    {
        var result = RefusedCleanly("version: \"3.8\"\nversion: \"3.8\"\nservices:\n  a: { image: x, image: y }\n  a: {}\nx-a: 1\nx-a: 2\n", DiagnosticCodes.Yaml);
        Assert.Equal(4, result.Diagnostics.Count(d => d.Code == DiagnosticCodes.Yaml));
    }

    [Fact]
    public void Unknown_compose_keys_are_errors_and_unknown_ward_keys_warnings()
    {
        var result = RefusedCleanly("services:\n  web: { image: nginx, imagee: x }\nx-ward: { nodez: [] }\n", DiagnosticCodes.Schema);
        Names(Assert.Single(result.Diagnostics, d => d.Code == DiagnosticCodes.Schema), "'imagee'", "did you mean 'image'?");
        Assert.Contains(result.Diagnostics, d => d is { Code: "READ-001", Severity: Severity.Warning, Path: "x-ward.nodez" });
    }

    [Fact]
    public void A_10_mb_file_is_refused_naming_its_size_and_the_limit()
    {
        var bytes = Encoding.UTF8.GetBytes("services: {}\nx-big: \"" + new string('a', 10 * 1024 * 1024) + "\"\n");
        var result = RefusedCleanly(bytes, DiagnosticCodes.File);
        Names(Assert.Single(result.Diagnostics), "10 MiB", "at most 8 MiB");
    }

    [Fact]
    public void A_10_mb_file_on_disk_is_refused_before_it_is_read()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("ward-big-").FullName, "big.yml");
        try
        {
            using (var stream = File.Create(path))
            {
                stream.SetLength(10L * 1024 * 1024);
            }

            var result = EnvironmentFileReader.Read(path, Options(), "big.yml");
            Assert.Null(result.Spec);
            var error = Assert.Single(result.Diagnostics);
            Assert.Equal((DiagnosticCodes.File, new SourceLocation("big.yml", 1, 1)), (error.Code, error.Location!.Value));
            Names(error, "'big.yml' is 10 MiB", "at most 8 MiB");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void A_missing_file_and_a_directory_are_refused()
    {
        var missing = EnvironmentFileReader.Read("/nonexistent/ward/env.yml", Options());
        Names(Assert.Single(missing.Diagnostics), "does not exist");
        var directory = EnvironmentFileReader.Read(Path.GetTempPath(), Options());
        Names(Assert.Single(directory.Diagnostics), "is a directory");
        Assert.Null(missing.Spec ?? directory.Spec);
    }

    [Theory]
    [InlineData(9)]
    [InlineData(3)]
    public void An_alias_bomb_is_refused_as_excessive_aliasing(int levels)
    {
        var text = new StringBuilder("x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        var previous = 'a';
        for (var level = 1; level < levels; level++)
        {
            var name = (char)('a' + level);
            text.Append($"x-{name}: &{name} [{string.Join(", ", Enumerable.Repeat($"*{previous}", 10))}]\n");
            previous = name;
        }

        text.Append("services: {}\n");
        var result = ReadBytes(Encoding.UTF8.GetBytes(text.ToString()));
        if (levels == 3)
        {
            // 1,111 nodes, 1,000 of them through aliases: under the ratio limit, as in the CLI.
            Assert.NotNull(result.Spec);
            return;
        }

        Names(Assert.Single(RefusedCleanly(text.ToString(), DiagnosticCodes.Yaml).Diagnostics), "excessive aliasing");
    }

    [Fact]
    public void Many_aliases_to_small_nodes_are_fine()
    {
        Assert.NotNull(ReadBytes(Encoding.UTF8.GetBytes("x-a: &a x\nx-b: [" + string.Join(",", Enumerable.Repeat("*a", 2000)) + "]\nservices: {}\n")).Spec);
        Assert.NotNull(ReadBytes(Encoding.UTF8.GetBytes("x-a: &a [" + string.Join(",", Enumerable.Repeat("1", 100)) + "]\nx-b: [" + string.Join(",", Enumerable.Repeat("*a", 100)) + "]\nservices: {}\n")).Spec);
    }

    [Theory]
    [InlineData(new byte[] { 0x00 })]
    [InlineData(new byte[] { 0x01 })]
    [InlineData(new byte[] { 0x08 })]
    [InlineData(new byte[] { 0x0B })]
    [InlineData(new byte[] { 0x0C })]
    [InlineData(new byte[] { 0x1B })]
    [InlineData(new byte[] { 0x7F })]
    [InlineData(new byte[] { 0xC2, 0x86 })]
    [InlineData(new byte[] { 0xEF, 0xBF, 0xBE })]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC3, 0x28 })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    public void Control_characters_and_invalid_utf8_are_refused_even_inside_quotes(byte[] bad)
    {
        var bytes = "services: {}\nx-a: \"a"u8.ToArray().Concat(bad).Concat("b\"\n"u8.ToArray()).ToArray();
        var error = Assert.Single(RefusedCleanly(bytes, DiagnosticCodes.Yaml).Diagnostics);
        Assert.Equal(2, error.Location!.Value.Line);
    }

    [Theory]
    [InlineData(new byte[] { 0x09 })]
    [InlineData(new byte[] { 0xC2, 0x85 })]
    [InlineData(new byte[] { 0xE2, 0x80, 0xA8 })]
    public void Tab_nel_and_line_separator_inside_a_value_read(byte[] allowed)
    {
        var bytes = "services: {}\nx-a: 'a"u8.ToArray().Concat(allowed).Concat("b'\n"u8.ToArray()).ToArray();
        Assert.NotNull(ReadBytes(bytes).Spec);
    }

    [Fact]
    public void Random_binary_is_refused()
    {
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        RefusedCleanly(bytes, DiagnosticCodes.Yaml);
        RefusedCleanly([.. Enumerable.Range(0, 1024).Select(i => (byte)i)], DiagnosticCodes.Yaml);
    }

    [Fact]
    public void Utf16_without_a_bom_is_refused()
    {
        RefusedCleanly(Encoding.Unicode.GetBytes("services: {}\n"), DiagnosticCodes.Yaml);
    }

    [Theory]
    [InlineData(5_000)]
    [InlineData(9_999)]
    public void Deep_lists_inside_an_extension_field_read(int depth)
    {
        var result = ReadBytes(Encoding.UTF8.GetBytes("services: {}\nx-deep: " + new string('[', depth) + new string(']', depth) + "\n"));
        Assert.True(result.Spec is not null, Describe(result));
    }

    [Fact]
    public void Deep_mappings_inside_an_extension_field_read()
    {
        var depth = 9_999;
        var text = "services: {}\nx-deep: " + string.Concat(Enumerable.Repeat("{a: ", depth)) + "1" + new string('}', depth) + "\n";
        Assert.NotNull(ReadBytes(Encoding.UTF8.GetBytes(text)).Spec);
    }

    [Theory]
    [InlineData(10_000)]
    [InlineData(100_000)]
    public void Nesting_beyond_9999_levels_is_refused(int depth)
    {
        var error = Assert.Single(RefusedCleanly("services: {}\nx-deep: " + new string('[', depth) + new string(']', depth) + "\n", DiagnosticCodes.Yaml).Diagnostics);
        Names(error, "deeper than 9999");
    }

    [Fact]
    public void Deep_block_nesting_in_a_service_is_refused_without_crashing()
    {
        var text = new StringBuilder("services:\n  web:\n    image: nginx\n    labels:\n");
        for (var i = 0; i < 3000; i++)
        {
            text.Append(' ', 6 + i).Append("- \n");
        }

        RefusedCleanly(text.ToString());
    }
}
