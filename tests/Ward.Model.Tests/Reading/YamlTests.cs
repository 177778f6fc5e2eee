using System.Text;
using static Ward.Model.Tests.Support.Reader;

namespace Ward.Model.Tests.Reading;

/// <summary>YAML as the CLI's library (yaml.v3) reads it: scalars, keys, anchors and merges, documents, encodings.</summary>
public sealed class YamlTests
{
    [Fact]
    public void Merge_keys_with_explicit_keys_winning()
    {
        var web = Service("x-base: &base { image: nginx, user: a, hostname: h }\nservices:\n  web:\n    <<: *base\n    user: b\n");
        Assert.Equal(("nginx", "b", "h"), (web.Image, web.User, web.Hostname));
    }

    [Fact]
    public void In_a_list_of_merges_the_earlier_mapping_wins()
    {
        var web = Service("x-a: &a { image: a }\nx-b: &b { image: b, user: u }\nservices:\n  web:\n    <<: [*a, *b]\n");
        Assert.Equal(("a", "u"), (web.Image, web.User));
    }

    [Fact]
    public void An_inline_merge_and_scalar_aliases()
    {
        Assert.Equal("nginx", Service("services:\n  web:\n    <<: { image: nginx }\n").Image);
        Assert.Equal("nginx:1.27", Service("x-img: &img nginx:1.27\nservices:\n  web: { image: *img }\n").Image);
    }

    [Theory]
    [InlineData("x-a: &a nginx\nservices:\n  web:\n    <<: *a\n", "merge")]
    [InlineData("x-a: &a { image: nginx }\nservices:\n  web:\n    <<: [*a, x]\n", "merge")]
    [InlineData("services:\n  web: *nope\n", "'nope'")]
    [InlineData("x-a: &a [*a]\n", "'a'")]
    [InlineData("services: [unclosed\n", "")]
    [InlineData("services:\n\tweb: {}\n", "tab")]
    [InlineData("services:\n  web:\n    command:\n    -\tb\n", "tab")]
    [InlineData("services:\n  web: { image: nginx }\n---\n\tbad\n", "tab")]
    [InlineData("services: {}\n...\n\tfoo\n", "tab")]
    [InlineData("services: {}\n--- \"abc\n", "")]
    [InlineData("%YAML 1.2\n---\nservices: {}\n", "%YAML 1.2")]
    [InlineData("%YAML 1.3\n---\nservices: {}\n", "%YAML 1.3")]
    [InlineData("services:\n  web: { image: !!int x }\n", "'x'")]
    [InlineData("? [a]\n: x\n", "")]
    [InlineData("services:\n  web: { image: \"\\UFFFFFFFF\" }\n", "invalid Unicode character escape code")]
    [InlineData("services:\n  web: { image: \"\\U00110000\" }\n", "invalid Unicode character escape code")]
    public void Yaml_the_cli_refuses(string yaml, string named)
    {
        var result = Read(yaml);
        var error = Refused(result, "WARD-YAML", "");
        Names(error, named);
    }

    [Theory]
    [InlineData("services:\n  web: { image: nginx }\n---\nservices:\n  web: {}\n  web: {}\n")]
    [InlineData("services:\n  web: { image: nginx }\n---\n: x: :\n")]
    [InlineData("services:\n  web: { image: nginx }\n---\nfoo\n\t: bar\n")]
    [InlineData("services:\n  web: { image: nginx }\n---\n%YAML 1.1\n")]
    [InlineData("---\nservices:\n  web: { image: nginx }\n...\n")]
    [InlineData("%YAML 1.1\n---\nservices:\n  web: { image: nginx }\n")]
    [InlineData("{\"services\": {\"web\": {\"image\": \"nginx\"}}}")]
    [InlineData("services:\n  web:\n    image:\tnginx\n")]
    [InlineData("services:\n  web:\n    image: nginx\t\n")]
    public void Yaml_the_cli_accepts(string yaml)
    {
        Reads(yaml);
    }

    [Fact]
    public void Content_after_an_under_indented_first_mapping_is_ignored_as_by_the_cli()
    {
        var spec = Reads("  services:\n    web: { image: nginx }\nx-rest: ignored\nservices: { api: {} }\n");
        Assert.Equal(["web"], spec.Services.Select(s => s.Name));
    }

    [Theory]
    [InlineData("1_000", 1000)]
    [InlineData("1__0", 10)]
    [InlineData("0b1_0", 2)]
    [InlineData("0o1_0", 8)]
    [InlineData("010", 8)]
    [InlineData("+5", 5)]
    public void Integers_as_yaml_v3_reads_them(string text, int value)
    {
        Assert.Equal(value, Service($"services:\n  web:\n    image: nginx\n    deploy:\n      replicas: {text}\n").Deploy.Replicas);
    }

    [Fact]
    public void Only_the_first_document_counts()
    {
        Assert.Single(Reads("services:\n  web: { image: nginx }\n---\nservices:\n  api: { image: x }\n").Services);
    }

    [Theory]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF })]
    [InlineData(new byte[0])]
    public void Utf8_with_or_without_a_bom_and_crlf(byte[] prefix)
    {
        var bytes = prefix.Concat(Encoding.UTF8.GetBytes("services:\r\n  web:\r\n    image: nginx\r\n    labels: { smile: \"\U0001F600\", nbsp: \"a\u00a0b\" }\r\n")).ToArray();
        var result = ReadBytes(bytes);
        Assert.True(result.Spec is not null, Describe(result));
        Assert.Equal("nginx", result.Spec.Services[0].Image);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Utf16_with_a_bom(bool bigEndian)
    {
        var bytes = new UnicodeEncoding(bigEndian, byteOrderMark: true).GetPreamble()
            .Concat(new UnicodeEncoding(bigEndian, false).GetBytes("services:\n  web: { image: nginx }\n")).ToArray();
        var result = ReadBytes(bytes);
        Assert.True(result.Spec is not null, Describe(result));
    }

    [Theory]
    [InlineData("true", "boolean true")]
    [InlineData("True", "boolean True")]
    [InlineData("1", "integer 1")]
    [InlineData("1.5", "number 1.5")]
    [InlineData("~", "null")]
    public void Scalars_resolve_as_yaml_1_2(string value, string described)
    {
        Names(Refused($"services:\n  web:\n    image: {value}\n", "WARD-SCHEMA", "services.web.image"), described);
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("on")]
    [InlineData("nUll")]
    [InlineData("tRue")]
    [InlineData("\"1\"")]
    [InlineData("!!str 1")]
    [InlineData("!custom nginx")]
    [InlineData("1:30")]
    [InlineData("2001-13-40")]
    public void Strings_that_look_like_other_things(string value)
    {
        Reads($"services:\n  web:\n    image: {value}\n");
    }

    [Fact]
    public void Binary_tags_decode_to_strings()
    {
        Assert.Equal("aGVsbG8=", Service("services:\n  web:\n    image: !!binary aGVsbG8=\n").Image);
    }

    [Theory]
    [InlineData("image: 2001-12-14", "services.web.image")]
    [InlineData("user: 2001-12-14T10:00:00Z", "services.web.user")]
    [InlineData("hostname: 2001-12-14 10:00:00", "services.web.hostname")]
    [InlineData("hostname: 2001-1-4", "services.web.hostname")]
    [InlineData("command: [2001-12-14]", "services.web.command[0]")]
    [InlineData("environment: [2001-12-14]", "services.web.environment[0]")]
    [InlineData("deploy: { mode: 2001-12-14 }", "services.web.deploy.mode")]
    [InlineData("networks: { n: { aliases: [2001-12-14] } }", "services.web.networks.n.aliases[0]")]
    public void A_plain_date_is_not_text_where_the_cli_needs_a_string(string body, string path)
    {
        var yaml = "services:\n  web:\n    " + (body.StartsWith("image", StringComparison.Ordinal) ? body : "image: nginx\n    " + body) + "\n";
        Names(Refused(yaml, "WARD-SCHEMA", path), "date", "quote it");
    }

    [Theory]
    [InlineData("environment: { BUILT: 2001-12-14 }")]
    [InlineData("labels: { built: 2001-12-14 }")]
    [InlineData("deploy: { labels: { built: 2001-12-14T10:00:00Z } }")]
    [InlineData("logging: { options: { since: 2001-12-14 } }")]
    [InlineData("user: \"2001-12-14\"")]
    [InlineData("x-built: 2001-12-14")]
    public void A_plain_date_is_fine_in_free_value_maps_and_extension_fields(string body)
    {
        Reads("services:\n  web:\n    image: nginx\n    " + body + "\n");
    }

    [Theory]
    [InlineData("services:\n  web: { image: nginx, labels: { 2001-12-14: a } }\n", "services.web.labels")]
    [InlineData("services:\n  web: { image: nginx, labels: { 1: a } }\n", "services.web.labels")]
    [InlineData("services:\n  web: { image: nginx, labels: { 1.5: a } }\n", "services.web.labels")]
    [InlineData("services: {}\nx-a:\n  ~: 1\n", "x-a")]
    [InlineData("services: {}\nx-a: { true: 1 }\n", "x-a")]
    public void Non_string_keys_are_refused_anywhere(string yaml, string path)
    {
        Names(Refused(yaml, "WARD-SCHEMA", path), "not a string");
    }

    [Theory]
    [InlineData("services: {}\nx-a: .inf\n", "x-a")]
    [InlineData("services: {}\nx-a: [-.Inf]\n", "x-a[0]")]
    [InlineData("services:\n  web: { image: nginx, healthcheck: { retries: .nan } }\n", "services.web.healthcheck.retries")]
    public void Infinity_and_nan_are_refused_anywhere(string yaml, string path)
    {
        Names(Refused(yaml, "WARD-SCHEMA", path), "infinity");
    }

    [Fact]
    public void Every_duplicate_key_is_reported_with_both_lines()
    {
        var result = Read("services:\n  web:\n    image: nginx\n    \"image\": other\n    user: a\n    user: b\n  web: {}\nservices: {}\n");
        Assert.Null(result.Spec);
        var duplicates = result.Diagnostics.Where(d => d.Code == "WARD-YAML").ToList();
        Assert.Equal([4, 6, 7, 8], duplicates.Select(d => d.Location!.Value.Line));
        Names(duplicates[0], "'image'", "line 3");
        Names(duplicates[3], "'services'", "line 1");
    }

    [Fact]
    public void Two_merge_keys_are_duplicates()
    {
        Refused("x-a: &a { image: nginx }\nx-b: &b { user: x }\nservices:\n  web:\n    <<: *a\n    <<: *b\n", "WARD-YAML", "");
    }

    [Fact]
    public void A_tab_at_the_start_of_a_line_in_a_flow_mapping_is_refused_without_crashing()
    {
        // YamlDotNet throws InvalidOperationException here (libyaml reads it): Ward reports it instead of crashing.
        var result = Read("services:\n  web: {image: nginx,\n\tuser: x}\n");
        Assert.Null(result.Spec);
        Assert.Contains(result.Diagnostics, d => d.Code == "WARD-YAML" && d.Location is not null);
    }
}
