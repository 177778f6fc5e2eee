using Ward.Model.Diagnostics;
using Ward.Model.Spec;
using static Ward.Model.Tests.Support.Reader;

namespace Ward.Model.Tests.Reading;

/// <summary>Version detection, keys newer than the version (CMP-003), refused keys (CMP-002) and ignored keys (CMP-001).</summary>
public sealed class VersionAndKeyTests
{
    public static TheoryData<string> AllVersions() => [.. Enumerable.Range(0, 14).Select(minor => $"3.{minor}")];

    [Theory]
    [MemberData(nameof(AllVersions))]
    public void Every_version_from_3_0_to_3_13_reads(string version)
    {
        var spec = Reads($"version: \"{version}\"\nservices:\n  web:\n    image: nginx:1.27\n");
        Assert.Equal(version, spec.Version.ToString());
    }

    [Theory]
    [InlineData("services: {}")]
    [InlineData("version: \"\"\nservices: {}")]
    [InlineData("version: \"3\"\nservices: {}")]
    [InlineData("version: '3'\nservices: {}")]
    [InlineData("version: !!str 3\nservices: {}")]
    public void Absent_empty_and_3_mean_the_newest_schema(string yaml)
    {
        Assert.Equal(new ComposeVersion(3, 13), Reads(yaml).Version);
    }

    [Fact]
    public void The_newest_schema_allows_3_13_keys_without_a_version()
    {
        Reads("services:\n  web:\n    image: nginx\n    oom_score_adj: 5\n");
        Reads("version: \"3\"\nservices:\n  web:\n    image: nginx\n    oom_score_adj: 5\n");
    }

    [Fact]
    public void A_tagged_string_version_reads()
    {
        Assert.Equal(new ComposeVersion(3, 8), Reads("version: !!str 3.8").Version);
    }

    [Theory]
    [InlineData("\"3.14\"", "'3.14'")]
    [InlineData("\"4\"", "'4'")]
    [InlineData("\"2.4\"", "'2.4'")]
    [InlineData("\"3.8.0\"", "'3.8.0'")]
    [InlineData("\" 3.8\"", "' 3.8'")]
    [InlineData("\"03.8\"", "'03.8'")]
    [InlineData("\"3.x\"", "'3.x'")]
    [InlineData("latest", "'latest'")]
    [InlineData("\"${V}\"", "'${V}'")]
    public void Unsupported_versions_are_refused(string value, string named)
    {
        var error = Refused($"version: {value}\nservices: {{}}", "WARD-SCHEMA", "version", Vars("V=3.8"));
        Names(error, named, "\"3.0\" to \"3.13\"");
    }

    [Theory]
    [InlineData("3.8", "\"3.8\"")]
    [InlineData("3.0", "\"3.0\"")]
    [InlineData("3", "\"3\"")]
    [InlineData("3.10", "\"3.10\"")]
    [InlineData("3.14", "\"3.14\"")]
    [InlineData("true", "\"true\"")]
    public void Unquoted_versions_are_refused_with_a_hint_to_quote(string value, string hint)
    {
        Names(Refused($"version: {value}\nservices: {{}}", "WARD-SCHEMA", "version"), hint);
    }

    [Theory]
    [InlineData("version:")]
    [InlineData("version: ~")]
    [InlineData("version: null")]
    [InlineData("version: [3]")]
    [InlineData("version: { a: 1 }")]
    public void Null_and_collection_versions_are_refused(string line)
    {
        Refused(line + "\nservices: {}", "WARD-SCHEMA", "version");
    }

    [Theory]
    [InlineData("3.6", "init: true", "services.web.init", "3.7")]
    [InlineData("3.12", "oom_score_adj: 1", "services.web.oom_score_adj", "3.13")]
    [InlineData("3.8", "cgroupns_mode: host", "services.web.cgroupns_mode", "3.9")]
    [InlineData("3.4", "isolation: default", "services.web.isolation", "3.5")]
    [InlineData("3.2", "credential_spec: { file: x }", "services.web.credential_spec", "3.3")]
    [InlineData("3.7", "credential_spec: { config: x }", "services.web.credential_spec.config", "3.8")]
    [InlineData("3.6", "x-note: 1", "services.web.x-note", "3.7")]
    [InlineData("3.1", "build: { context: ., cache_from: [a] }", "services.web.build.cache_from", "3.2")]
    public void Keys_newer_than_the_declared_version_are_refused(string version, string body, string path, string since)
    {
        var error = Refused(WebService(body, version), "CMP-003", path);
        Names(error, since, $"\"{version}\"", $"raise the version to \"{since}\"");
    }

    [Theory]
    [InlineData("3.3")]
    [InlineData("3.0")]
    public void The_ward_section_needs_3_4(string version)
    {
        var error = Refused($"version: \"{version}\"\nx-ward:\n  environment: {{ name: a }}\nservices: {{}}\n", "CMP-003", "x-ward");
        Names(error, "x-ward", "3.4");
        Reads("version: \"3.4\"\nx-ward:\n  environment: { name: a }\nservices: {}\n");
    }

    [Theory]
    [InlineData("extends: base")]
    [InlineData("volume_driver: flocker")]
    [InlineData("volumes_from: [other]")]
    [InlineData("cpu_quota: 50000")]
    [InlineData("cpu_shares: 512")]
    [InlineData("cpuset: \"0,1\"")]
    [InlineData("mem_limit: 1g")]
    [InlineData("memswap_limit: 2g")]
    [InlineData("cpu_shares:")]
    public void Forbidden_keys_refuse_the_file(string body)
    {
        var key = body.Split(':')[0];
        var error = Refused(WebService(body), "CMP-002", $"services.web.{key}");
        Names(error, key, "deploy");
        Assert.Equal(Severity.Error, error.Severity);
    }

    [Fact]
    public void A_forbidden_key_is_reported_even_when_the_version_is_garbage_or_another_service_is_broken()
    {
        var result = Read("version: garbage\nservices:\n  bad: 5\n  web:\n    image: nginx\n    mem_limit: 1g\n");
        Refused(result, "CMP-002", "services.web.mem_limit");
        Refused(result, "WARD-SCHEMA", "version");
        Refused(result, "WARD-SCHEMA", "services.bad");
    }

    [Fact]
    public void A_forbidden_name_elsewhere_is_not_forbidden()
    {
        Reads(WebService("x-legacy: { extends: base, mem_limit: 1g }", "3.8"));
        Refused(WebService("deploy: { mem_limit: 1g }"), "WARD-SCHEMA", "services.web.deploy.mem_limit");
    }

    [Theory]
    [InlineData("build: .")]
    [InlineData("cgroup_parent: m")]
    [InlineData("devices: [\"/dev/fuse\"]")]
    [InlineData("depends_on: [db]")]
    [InlineData("domainname: example.org")]
    [InlineData("external_links: [db]")]
    [InlineData("ipc: host")]
    [InlineData("links: [db]")]
    [InlineData("mac_address: 02:42:ac:11:65:43")]
    [InlineData("network_mode: host")]
    [InlineData("pid: host")]
    [InlineData("privileged: true")]
    [InlineData("restart: always")]
    [InlineData("security_opt: [no-new-privileges:true]")]
    [InlineData("shm_size: 64m")]
    [InlineData("tmpfs: /run")]
    [InlineData("userns_mode: host")]
    public void Ignored_keys_are_warnings_and_the_file_reads(string body)
    {
        var key = body.Split(':')[0];
        var warning = ReadsWith(WebService(body), "CMP-001", $"services.web.{key}");
        Assert.Equal(Severity.Warning, warning.Severity);
        Names(warning, key, "ignores");
        Assert.Contains(key, Service(WebService(body)).IgnoredKeys);
    }

    [Theory]
    [InlineData("container_name: web")]
    [InlineData("expose: [\"80\", abc, 70000]")]
    public void Deprecated_keys_are_noted_and_the_file_reads(string body)
    {
        Assert.Equal(Severity.Info, ReadsWith(WebService(body), "CMP-001", $"services.web.{body.Split(':')[0]}").Severity);
    }

    [Theory]
    [InlineData("cpus: 0.5", "services.web.cpus", "cpuset")]
    [InlineData("imag: nginx", "services.web.imag", "image")]
    [InlineData("enviroment: { A: 1 }", "services.web.enviroment", "environment")]
    [InlineData("mem_reservation: 1g", "services.web.mem_reservation", null)]
    [InlineData("scale: 2", "services.web.scale", null)]
    [InlineData("pids_limit: 2", "services.web.pids_limit", null)]
    public void Unknown_compose_keys_are_errors_with_a_suggestion(string body, string path, string? suggestion)
    {
        var error = Refused(WebService(body), "WARD-SCHEMA", path);
        Names(error, $"'{body.Split(':')[0]}'");
        if (suggestion is not null)
        {
            Names(error, $"did you mean '{suggestion}'?");
        }
    }

    [Fact]
    public void Unknown_top_level_keys_are_errors()
    {
        Names(Refused("servces:\n  web: { image: nginx }\n", "WARD-SCHEMA", "servces"), "did you mean 'services'?");
    }

    [Fact]
    public void Extension_fields_are_allowed_at_the_root_from_3_4_and_are_interpolated()
    {
        Reads("version: \"3.4\"\nx-defaults: &defaults { image: nginx }\nservices:\n  web: *defaults\n");
        Refused("version: \"3.3\"\nx-defaults: 1\nservices: {}\n", "CMP-003", "x-defaults");
    }
}
