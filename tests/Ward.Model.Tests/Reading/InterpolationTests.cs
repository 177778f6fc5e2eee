using Ward.Model.Compose;
using static Ward.Model.Tests.Support.Reader;

namespace Ward.Model.Tests.Reading;

/// <summary>Variable substitution exactly as the CLI does it, including its quirks.</summary>
public sealed class InterpolationTests
{
    private static string Image(string value, params string[] variables) =>
        Service($"services:\n  web:\n    image: '{value.Replace("'", "''", StringComparison.Ordinal)}'\n", variables: Vars(variables)).Image!;

    [Theory]
    [InlineData("$TAG", "1.4")]
    [InlineData("${TAG}", "1.4")]
    [InlineData("app:${TAG}", "app:1.4")]
    [InlineData("$$TAG", "$TAG")]
    [InlineData("$$$TAG", "$1.4")]
    [InlineData("$$$$", "$$")]
    [InlineData("${UNSET}", "")]
    [InlineData("pre-${UNSET}-post", "pre--post")]
    [InlineData("${UNSET:-def}", "def")]
    [InlineData("${EMPTY:-def}", "def")]
    [InlineData("${EMPTY-def}", "")]
    [InlineData("${UNSET-def}", "def")]
    [InlineData("${TAG:?need it}", "1.4")]
    [InlineData("${EMPTY?need it}", "")]
    [InlineData("${A_B}", "ab")]
    [InlineData("$A_B", "ab")]
    public void Substitution_forms(string text, string expected)
    {
        Assert.Equal(expected, Image(text, "TAG=1.4", "EMPTY=", "A_B=ab"));
    }

    [Theory]
    [InlineData("$A-x", "val", "val")]
    [InlineData("$A-x", null, "x")]
    [InlineData("$A:-x", null, "x")]
    [InlineData("$A:x", "val", "val:x")]
    [InlineData("$A-registry/app $B", "reg", "reg")]
    [InlineData("$A-registry/app}x", "reg", "reg}x")]
    public void Unbraced_operators_run_to_the_next_brace(string text, string? a, string expected)
    {
        Assert.Equal(expected, Image(text, a is null ? [] : [$"A={a}"]));
    }

    [Theory]
    [InlineData("${A:-x:-y}", null, "x:-y")]
    [InlineData("${A:-a:b}", null, "a:b")]
    [InlineData("${A?x:-y}", null, "y")]
    [InlineData("${A:?x-y}", null, "y")]
    [InlineData("${A?x-y}", "v", "y")]
    [InlineData("${A-x:?y}", null, "x:?y")]
    [InlineData("${A:-x?y}", null, "x?y")]
    [InlineData("${A:-${B}}", null, "${B}")]
    [InlineData("${A:-${B}}", "aa", "aa}")]
    [InlineData("${A:-x}}", null, "x}")]
    [InlineData("${A:-$B}", null, "$B")]
    [InlineData("${A:-$$}", null, "$$")]
    public void The_first_separator_anywhere_decides_and_nothing_nests(string text, string? a, string expected)
    {
        Assert.Equal(expected, Image(text, a is null ? [] : [$"A={a}"]));
    }

    [Theory]
    [InlineData("${A:?need} ${B:-y}", " bee")]
    [InlineData("${A:?need} ${C:-y}", " y")]
    [InlineData("${ A} $B", "{ A} bee")]
    [InlineData("$ $B", " bee")]
    [InlineData("${A:?x} ${B}", " bee")]
    public void An_earlier_error_hidden_by_a_later_valid_expression_reads_with_a_warning(string text, string expected)
    {
        var yaml = $"services:\n  web:\n    image: '{text}'\n";
        Assert.Equal(expected, Service(yaml, variables: Vars("B=bee")).Image);
        Names(ReadsWith(yaml, "READ-002", "services.web.image", Vars("B=bee")), "$$");
    }

    [Theory]
    [InlineData("$B ${ A}", "invalid interpolation format")]
    [InlineData("${ A} $$", "invalid interpolation format")]
    [InlineData("${A:?x} $$", "required variable A is missing a value: x")]
    [InlineData("${A", "invalid interpolation format")]
    [InlineData("$", "invalid interpolation format")]
    [InlineData("${}", "invalid interpolation format")]
    [InlineData("${1}", "invalid interpolation format")]
    [InlineData("$1", "invalid interpolation format")]
    [InlineData("${A.B}", "invalid interpolation format")]
    [InlineData("${A[0]}", "invalid interpolation format")]
    [InlineData("${A:+x}", "invalid interpolation format")]
    [InlineData("${A+x}", "invalid interpolation format")]
    [InlineData("${A:=x}", "invalid interpolation format")]
    [InlineData("${A }", "invalid interpolation format")]
    [InlineData("${A:?}", "required variable A is missing a value")]
    [InlineData("${A?}", "required variable A is missing a value")]
    [InlineData("$A?x", "required variable A is missing a value: x")]
    public void The_last_error_refuses_the_file(string text, string message)
    {
        var error = Refused($"services:\n  web:\n    image: '{text}'\n", "WARD-INTERP", "services.web.image");
        Names(error, message);
    }

    [Fact]
    public void A_required_variable_that_is_set_but_empty()
    {
        Refused("services:\n  web:\n    image: '${A:?}'\n", "WARD-INTERP", "services.web.image", Vars("A="));
        Assert.Equal("", Image("${A?}", "A="));
    }

    [Fact]
    public void An_unset_variable_without_default_reads_with_a_warning_naming_it()
    {
        Names(ReadsWith("services:\n  web:\n    image: 'nginx:${TAG}'\n", "READ-002", "services.web.image"), "TAG", "not set");
    }

    [Fact]
    public void Every_string_is_interpolated_including_extension_fields_and_the_version_is_not()
    {
        Refused("services: {}\nx-unused: \"${\"\n", "WARD-INTERP", "x-unused");
        Refused("services: {}\nx-a: { b: [\"${A\"] }\n", "WARD-INTERP", "x-a.b[0]");
        Refused("services: {}\nx-ward:\n  environment: { name: \"${A\" }\n", "WARD-INTERP", "x-ward.environment.name");
        Assert.Equal("v1", Reads("services: {}\nx-ward:\n  environment: { name: \"${N}\" }\n", Vars("N=v1")).Name);
    }

    [Fact]
    public void Mapping_keys_are_not_interpolated()
    {
        Assert.True(Service("services:\n  web:\n    image: nginx\n    labels: { \"${A}\": v }\n").Labels.ContainsKey("${A}"));
        Refused("services:\n  \"${A}\": { image: nginx }\n", "WARD-SCHEMA", "services.${A}");
    }

    [Fact]
    public void An_interpolation_error_beats_an_unsupported_version_and_both_are_reported()
    {
        var result = Read("version: garbage\nservices:\n  web:\n    image: \"${X\"\n");
        Refused(result, "WARD-INTERP", "services.web.image");
        Refused(result, "WARD-SCHEMA", "version");
    }

    [Theory]
    [InlineData("read_only", "true", true)]
    [InlineData("read_only", "YES", true)]
    [InlineData("read_only", "on", true)]
    [InlineData("read_only", "n", false)]
    [InlineData("tty", "Off", false)]
    public void Booleans_are_cast_from_the_clis_words(string key, string value, bool expected)
    {
        var web = Service($"services:\n  web:\n    image: nginx\n    {key}: \"${{B}}\"\n", variables: Vars($"B={value}"));
        Assert.Equal(expected, key == "tty" ? web.Tty : web.ReadOnly);
    }

    [Theory]
    [InlineData("read_only: \"${B}\"", "services.web.read_only", "B=1")]
    [InlineData("deploy: { replicas: \"${B}\" }", "services.web.deploy.replicas", "B= 3")]
    [InlineData("deploy: { replicas: \"${B}\" }", "services.web.deploy.replicas", "B=0x10")]
    [InlineData("deploy: { replicas: \"${B}\" }", "services.web.deploy.replicas", "B=5.5")]
    [InlineData("deploy: { update_config: { max_failure_ratio: \"${B}\" } }", "services.web.deploy.update_config.max_failure_ratio", "B=Inf")]
    [InlineData("healthcheck: { retries: \"${B}\" }", "services.web.healthcheck.retries", "B=5.5")]
    public void Casts_that_fail_refuse_the_file(string body, string path, string variable)
    {
        Names(Refused($"services:\n  web:\n    image: nginx\n    {body}\n", "WARD-INTERP", path, Vars(variable)), $"'{variable[2..]}'");
    }

    [Fact]
    public void Casts_happen_only_when_interpolation_changed_the_value()
    {
        Refused("services:\n  web:\n    image: nginx\n    read_only: \"true\"\n", "WARD-SCHEMA", "services.web.read_only");
        Refused("services:\n  web:\n    image: nginx\n    deploy: { replicas: \"3\" }\n", "WARD-SCHEMA", "services.web.deploy.replicas");

        // "$$" changes the text too, so the CLI casts "$3" and fails.
        Names(Refused("services:\n  web:\n    image: nginx\n    deploy: { replicas: \"$$3\" }\n", "WARD-INTERP", "services.web.deploy.replicas"), "'$3'");
        Assert.Equal(3, Service("services:\n  web:\n    image: nginx\n    deploy: { replicas: \"0${R}\" }\n", variables: Vars("R=3")).Deploy.Replicas);
    }

    [Fact]
    public void Each_string_is_substituted_once_whatever_its_shape()
    {
        var web = Service("services:\n  web:\n    image: nginx\n    command: echo $$HOME $$$$\n    entrypoint: [\"$$HOME\"]\n    dns: \"$$X\"\n", variables: Vars("HOME=/root", "X=x"));
        Assert.Equal(["echo", "$HOME", "$$"], web.Command);
        Assert.Equal(["$HOME"], web.Entrypoint);
        Assert.Equal(["$X"], web.Dns);
    }

    [Fact]
    public void Top_level_booleans_are_cast_too()
    {
        var spec = Reads("networks: { n: { external: \"${T}\" } }\nvolumes: { v: { external: \"${T}\" } }\nsecrets: { s: { external: \"${T}\" } }\nconfigs: { c: { external: \"${T}\" } }\n", Vars("T=yes"));
        Assert.True(spec.Networks[0].External && spec.Volumes[0].External && spec.Secrets[0].External && spec.Configs[0].External);
    }

    [Fact]
    public void The_process_environment_wins_over_an_env_file()
    {
        var source = new VariableSource(Vars("TAG=from-process"), Vars("TAG=from-file", "ONLY=file"));
        var options = Options() with { Variables = source };
        var result = Ward.Model.Reading.EnvironmentFileReader.ReadBytes("services:\n  web: { image: \"${TAG}-${ONLY}\" }\n"u8.ToArray(), FileName, Path.GetTempPath(), options);
        Assert.Equal("from-process-file", result.Spec!.Services[0].Image);
    }

    [Fact]
    public void The_interpolator_reports_last_error_wins_directly()
    {
        var interpolator = new Interpolator(new VariableSource(Vars("B=b")));
        Assert.True(interpolator.TrySubstitute("${A:?x} $B", out var value, out var error, out var warning));
        Assert.Equal((" b", (string?)null), (value, error));
        Assert.NotNull(warning);
        Assert.False(interpolator.TrySubstitute("$B ${A:?x}", out _, out error, out _));
        Assert.Contains("required variable A", error, StringComparison.Ordinal);
    }
}
