using System.Text;
using Ward.Bench.Check;
using Ward.Model.Diagnostics;
using Ward.Model.Yaml;

namespace Ward.Model.Tests.Yaml;

/// <summary>
/// The fast YAML reader against the general (YamlDotNet) path: wherever the fast reader accepts a text, both must
/// build exactly the same tree, and the general path must find nothing wrong with it. The texts are every YAML file
/// in the repository, the benchmark's generated file, hand-written edge cases and thousands of seeded mutations.
/// </summary>
public sealed class FastYamlReaderTests
{
    private static readonly string Root = RepositoryRoot();

    public static TheoryData<string> RepositoryFiles() => [.. RepositoryYamlFiles().Select(f => Path.GetRelativePath(Root, f))];

    [Theory]
    [MemberData(nameof(RepositoryFiles))]
    public void A_repository_file_reads_the_same_on_both_paths(string file)
    {
        AssertSameWhereverFast(File.ReadAllText(Path.Combine(Root, file)), file);
    }

    [Fact]
    public void The_fast_path_reads_the_examples_the_benchmark_file_and_most_accepted_stacks()
    {
        foreach (var example in Directory.EnumerateFiles(Path.Combine(Root, "examples"), "*.yaml", SearchOption.AllDirectories))
        {
            Assert.True(YamlTreeBuilder.BuildWithFastPath(File.ReadAllText(example), example, out var declinedAt) is not null, $"the fast path declined {example} at {declinedAt}");
        }

        var generated = EnvironmentGenerator.Generate(services: 300, nodes: 20, secrets: 30, configs: 30);
        Assert.NotNull(AssertSameWhereverFast(generated, "generated.yaml"));

        var accepted = Directory.EnumerateFiles(Path.Combine(Root, "tests", "compat", "accepted")).Where(IsYaml).ToList();
        var fast = accepted.Count(f => YamlTreeBuilder.BuildWithFastPath(File.ReadAllText(f), f, out _) is not null);
        Assert.True(fast * 10 >= accepted.Count * 7, $"the fast path read only {fast} of {accepted.Count} accepted compat files");
    }

    [Theory]
    [InlineData("a: 1\nb: two\nc:\n  - x\n  - 'y'\n  - \"z\\t\"\n", true)]
    [InlineData("a:\n- 1\n- 2\nb: 3\n", true)]
    [InlineData("- a: 1\n  b: 2\n- c\n-\n- \n", true)]
    [InlineData("x-base: &base\n  image: nginx\n  env: [A, B]\nservices:\n  web:\n    <<: *base\n    image: other\n", true)]
    [InlineData("x: &a {k: v}\ny: [*a, *a]\nz: *a\n", true)]
    [InlineData("x: &s hello\ny: *s\n", true)]
    [InlineData("x: &s hello\ny: &t\n  *s\n", false)]
    [InlineData("x: &s hello\ny:\n  *s\n", true)]
    [InlineData("x: {a: &s hello, b: c}\n", false)]
    [InlineData("x: &l\n  - 1\ny: *l\n", true)]
    [InlineData("m:\n  <<: [*a]\n", false)]
    [InlineData("a: &one 1\nm:\n  <<: [{p: 1}, {p: 2, q: 3}]\n", true)]
    [InlineData("a: {b: [1, 2, {c: d}], 'e': \"f\", g: []}\n", true)]
    [InlineData("a: [\n    1,\n    2,\n  ]\n", true)]
    [InlineData("a: [1,\n2]\n", false)]
    [InlineData("a: {\"json\":1}\n", true)]
    [InlineData("a: yes\nb: ~\nc: null\nd: 0x1F\ne: 1e3\nf: .inf\ng: 2001-12-14\nh: 2001-12-14t21:59:43.10-05:00\ni: -0o17\n", true)]
    [InlineData("a: 'it''s'\nb: \"\\u00e9\\x41\\U0001F600\\/\\ \"\n", true)]
    [InlineData("a: \"\\q\"\n", false)]
    [InlineData("a: \"\\uD800\"\n", false)]
    [InlineData("a: \"\\U0001F600\"\n", true)]
    [InlineData("a: \"\\UFFFFFFFF\"\n", false)]
    [InlineData("a: héllo wörld 😀\nb: 😀: x\n", false)]
    [InlineData("a: héllo wörld 😀\nb: 'x'\n", false)]
    [InlineData("a: héllo wörld\nb: 'ü'\n", true)]
    [InlineData("# comment\n---\na: 1 # trailing\n\n# another\nb: 2\n", true)]
    [InlineData("--- # c\na: 1\n", true)]
    [InlineData("a: 1\n---\nb: 2\n", false)]
    [InlineData("a: 1\n...\n", false)]
    [InlineData("%YAML 1.1\n---\na: 1\n", false)]
    [InlineData("a: |\n  text\n", false)]
    [InlineData("a: >-\n  text\n", false)]
    [InlineData("a: !!str 1\n", false)]
    [InlineData("? a\n: b\n", false)]
    [InlineData("a: b\n  c\n", false)]
    [InlineData("a:\n  b\n  c\n", false)]
    [InlineData("a: 'multi\n  line'\n", false)]
    [InlineData("a: b: c\n", false)]
    [InlineData("a: - b\n", false)]
    [InlineData("a: 1\na: 2\n", false)]
    [InlineData("a:\n    b: 1\n  c: 2\n", false)]
    [InlineData("a:\tb\n", false)]
    [InlineData("a: 1\r\nb: 2\r\n", false)]
    [InlineData("a: *missing\n", false)]
    [InlineData("a: &x\nb: 1\n", false)]
    [InlineData("key with spaces: v\n\"quoted key\": v\n'single': v\nurl: http://x:80/y?z#frag\n", true)]
    [InlineData("a : 1\n", false)]
    [InlineData("a: [b: c]\n", false)]
    [InlineData("a: [b , c]\n", true)]
    [InlineData("a: {b: }\n", false)]
    [InlineData("a: [a, , b]\n", false)]
    [InlineData("a: [x, ]\n", true)]
    [InlineData("w: { start: 2026-12-05T02:00:00Z, url: http://x:80/p }\n", true)]
    [InlineData("a: [x:y, 'q']\n", true)]
    [InlineData("a: echo \"hi there\" 'x'\n", true)]
    [InlineData("a: x *y\n", false)]
    [InlineData("a: x &y\n", false)]
    [InlineData("a: x !y\n", false)]
    [InlineData("a b *c: x\n", false)]
    [InlineData("-x: 1\nb: -y\n", true)]
    [InlineData(":y: 2\n", false)]
    [InlineData("a: ?z\n", false)]
    [InlineData("a: {:n: 1}\n", false)]
    [InlineData("a: -1\nb: - \n", false)]
    [InlineData("a:    \nb:  # only a comment\n", true)]
    [InlineData("a: x #a comment\nb: x# still text\n", true)]
    [InlineData("1: one\ntrue: yes\nnull: ~\n", true)]
    [InlineData("\n\n   \n", false)]
    [InlineData("", false)]
    [InlineData("scalar\n", true)]
    [InlineData("[1, 2]\n", true)]
    [InlineData("a: [1, 2] extra\n", false)]
    [InlineData("a: 'x' extra\n", false)]
    public void An_edge_case_reads_the_same_on_both_paths(string text, bool fastPathReadsIt)
    {
        var fast = AssertSameWhereverFast(text, "edge.yaml");
        Assert.True((fast is not null) == fastPathReadsIt, $"expected the fast path to {(fastPathReadsIt ? "read" : "decline")}:\n{text}");
    }

    [Fact]
    public void Mutated_files_read_the_same_on_both_paths_wherever_the_fast_path_reads_them()
    {
        var random = new Random(20261127);
        var sources = RepositoryYamlFiles().Select(File.ReadAllText).Where(t => t.Length < 20_000).Concat(Enumerable.Repeat(AnchorHeavyStack, 20)).ToList();
        var (mutants, readFast) = (0, 0);
        foreach (var source in sources)
        {
            for (var i = 0; i < 50; i++)
            {
                var mutant = Mutate(source, random);
                mutants++;
                if (AssertSameWhereverFast(mutant, "mutant.yaml") is not null)
                {
                    readFast++;
                }
            }
        }

        // Most mutants are still plain block YAML; if the fast path read none the comparison above proved nothing.
        Assert.True(readFast * 4 >= mutants, $"the fast path read only {readFast} of {mutants} mutants");
    }

    /// <summary>
    /// The builder (which tries the fast reader first) and the general path alone must give the same diagnostics and
    /// the same tree, whether the fast reader accepts the text (then its tree is the one compared) or declines it (then
    /// the builder must fall back to the general path as if the fast reader did not exist). Returns the fast reader's
    /// tree, or null when it declined.
    /// </summary>
    private static YNode? AssertSameWhereverFast(string text, string file)
    {
        var fast = YamlTreeBuilder.BuildWithFastPath(text, file, out var declinedAt);
        var (builderDiagnostics, generalDiagnostics) = (new DiagnosticBag(), new DiagnosticBag());
        var built = YamlTreeBuilder.Build(text, file, builderDiagnostics);
        var general = YamlTreeBuilder.BuildWithGeneralPath(text, file, generalDiagnostics);
        var context = fast is null ? $"\n(the fast path declined it at {declinedAt})\n--- text ---\n{text}\n------------" : $"\n--- text ---\n{text}\n------------";
        Assert.True(
            builderDiagnostics.Items.SequenceEqual(generalDiagnostics.Items),
            $"the paths disagree.\nthe builder: {string.Join("; ", builderDiagnostics.Items)}\ngeneral path: {string.Join("; ", generalDiagnostics.Items)}{context}");
        Assert.Equal(general is null, built is null);
        if (general is not null)
        {
            Assert.True(TreeComparison.FirstDifference(general, fast ?? built!) is null, $"{TreeComparison.FirstDifference(general, fast ?? built!)}{context}");
        }

        if (fast is null)
        {
            Assert.False(string.IsNullOrEmpty(declinedAt), $"the fast path declined without saying where{context}");
        }

        return fast;
    }

    // Few repository files use anchors; this one gives the mutations anchors, aliases and merge keys to break.
    private const string AnchorHeavyStack = """
        version: "3.9"
        x-defaults: &defaults
          restart_policy: &restart { condition: on-failure, max_attempts: 3 }
          labels: &labels
            team: clinic
            tier: app
        x-env: &env [A=1, B=2]
        services:
          web: &web
            image: nginx:1.25
            environment: *env
            deploy:
              <<: *defaults
              replicas: 2
              labels:
                <<: [*labels, {extra: "yes"}]
                tier: web
          api:
            <<: *web
            image: api:2
            deploy: { restart_policy: *restart }
          list:
            - &item x
            - *item
            - &nested
              - 1
              - *item
            - *nested

        """;

    private static readonly string[] Insertions =
    [
        " ", "  ", "\n", ":", ": ", "- ", "-", "#", " #c", "&a ", " *a", "&web ", " *web", " *defaults", "<<: *labels\n", "[", "]", "{", "}", ",", "\"", "'", "\\", "?", "? ",
        "!", "|", ">", "%", "@", "`", "---\n", "...\n", "<<: *a\n", "é", "😀", "\\u00e9", "a: b", "\t", "\r", "~", "0x", ".5",
    ];

    private static string Mutate(string text, Random random)
    {
        var result = new StringBuilder(text);
        for (var count = random.Next(1, 4); count > 0 && result.Length > 0; count--)
        {
            var at = random.Next(result.Length);
            switch (random.Next(6))
            {
                case 0:
                    result.Remove(at, 1);
                    break;
                case 1:
                    result.Insert(at, Insertions[random.Next(Insertions.Length)]);
                    break;
                case 2:
                    var (start, end) = LineAround(result, at);
                    result.Insert(start, result.ToString(start, end - start));
                    break;
                case 3:
                    result.Insert(LineAround(result, at).Start, ' ');
                    break;
                case 4:
                    var lineStart = LineAround(result, at).Start;
                    if (result[lineStart] == ' ')
                    {
                        result.Remove(lineStart, 1);
                    }

                    break;
                default:
                    result[at] = "ax:-'\"&*[]{}, #"[random.Next(15)];
                    break;
            }
        }

        return result.ToString();
    }

    private static (int Start, int End) LineAround(StringBuilder text, int at)
    {
        var start = at;
        while (start > 0 && text[start - 1] != '\n')
        {
            start--;
        }

        var end = at;
        while (end < text.Length && text[end] != '\n')
        {
            end++;
        }

        return (start, Math.Min(end + 1, text.Length));
    }

    private static bool IsYaml(string file) => file.EndsWith(".yml", StringComparison.Ordinal) || file.EndsWith(".yaml", StringComparison.Ordinal);

    private static IEnumerable<string> RepositoryYamlFiles() =>
        new[] { "examples", "tests/compat", "tests/Ward.Rules.Tests/Samples", "samples", "docs" }
            .Select(folder => Path.Combine(Root, folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            .Where(IsYaml)
            .Order(StringComparer.Ordinal);

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Ward.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Ward.slnx above {AppContext.BaseDirectory}");
    }
}
