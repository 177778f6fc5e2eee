using Ward.Model.Spec;
using static Ward.Model.Tests.Support.Reader;

namespace Ward.Model.Tests.Syntax;

/// <summary>Healthchecks, list_or_dict keys (environment, labels, extra_hosts, sysctls), ulimits and logging.</summary>
public sealed class ServiceKeyTests
{
    [Fact]
    public void A_string_test_runs_in_a_shell()
    {
        var check = Service(WebService("healthcheck:\n  test: curl -f http://localhost/health\n  interval: 30s\n  timeout: 5s\n  retries: 3\n  start_period: 1m")).Healthcheck!;
        Assert.Equal(["CMD-SHELL", "curl -f http://localhost/health"], check.Test);
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), 3L, TimeSpan.FromMinutes(1)), (check.Interval, check.Timeout, check.Retries, check.StartPeriod));
        Assert.False(check.Disabled);
    }

    [Fact]
    public void A_list_test_is_kept()
    {
        Assert.Equal(["CMD", "pg_isready", "-U", "app"], Service(WebService("healthcheck:\n  test: [CMD, pg_isready, -U, app]")).Healthcheck!.Test);
    }

    [Theory]
    [InlineData("test: [NONE]")]
    [InlineData("test: [\"NONE\"]")]
    [InlineData("disable: true")]
    [InlineData("disable: \"${D}\"")]
    public void A_healthcheck_can_be_disabled(string body)
    {
        var web = Service(WebService($"healthcheck: {{ {body} }}"), variables: Vars("D=yes"));
        Assert.True(web.Healthcheck!.Disabled);
        Assert.False(web.HasEnabledHealthcheck);
    }

    [Fact]
    public void Retries_is_a_number_truncated_as_the_cli_decodes_it()
    {
        Assert.Equal(5L, Service(WebService("healthcheck: { retries: 5.5 }")).Healthcheck!.Retries);
    }

    [Theory]
    [InlineData("healthcheck: { retries: \"3\" }", "services.web.healthcheck.retries", "'3'")]
    [InlineData("healthcheck: { retries: -1 }", "services.web.healthcheck.retries", "-1")]
    [InlineData("healthcheck:", "services.web.healthcheck", "null")]
    [InlineData("healthcheck: { x-a: 1 }", "services.web.healthcheck.x-a", "x-a")]
    [InlineData("healthcheck: { disable: yes }", "services.web.healthcheck.disable", "'yes'")]
    public void Healthchecks_the_cli_refuses(string body, string path, string named)
    {
        Names(Refused(WebService(body), "WARD-SCHEMA", path), named);
    }

    [Fact]
    public void Healthcheck_durations_are_checked_at_load_before_3_4()
    {
        Refused(WebService("healthcheck: { interval: \"10\" }", "3.3"), "WARD-SCHEMA", "services.web.healthcheck.interval");
        Refused(WebService("healthcheck: { start_period: 10s }", "3.3"), "CMP-003", "services.web.healthcheck.start_period");
        Refused(WebService("healthcheck: { start_interval: 5s }", "3.11"), "CMP-003", "services.web.healthcheck.start_interval");
        Reads(WebService("healthcheck: { start_interval: 5s }", "3.12"));
    }

    [Fact]
    public void Environment_as_a_mapping()
    {
        var web = Service(WebService("environment:\n  A: one\n  B: 2\n  C: 1.5\n  D:\n  E: \"\""));
        Assert.Equal(new Dictionary<string, string?> { ["A"] = "one", ["B"] = "2", ["C"] = "1.5", ["D"] = null, ["E"] = "" }, web.Environment.ToDictionary());
    }

    [Fact]
    public void Environment_as_a_list_where_the_last_duplicate_name_wins()
    {
        var web = Service(WebService("environment:\n  - A=1\n  - B\n  - C=x=y\n  - A=2"));
        Assert.Equal(("2", (string?)null, "x=y"), (web.Environment["A"], web.Environment["B"], web.Environment["C"]));
    }

    [Theory]
    [InlineData("environment: { DEBUG: true }", "services.web.environment.DEBUG", "boolean true")]
    [InlineData("environment: { DEBUG: false }", "services.web.environment.DEBUG", "boolean false")]
    [InlineData("labels: { a: TRUE }", "services.web.labels.a", "boolean TRUE")]
    [InlineData("deploy: { labels: { a: true } }", "services.web.deploy.labels.a", "boolean true")]
    [InlineData("environment: { A: { b: 1 } }", "services.web.environment.A", "a mapping")]
    [InlineData("environment: A=1", "services.web.environment", "'A=1'")]
    [InlineData("environment: [A=1, A=1]", "services.web.environment[1]", "'A=1'")]
    [InlineData("environment: [1]", "services.web.environment[0]", "integer 1")]
    [InlineData("labels: { \"\": x }", "services.web.labels[\"\"]", "''")]
    public void List_or_dict_forms_the_cli_refuses(string body, string path, string named)
    {
        Names(Refused(WebService(body), "WARD-SCHEMA", path), named);
    }

    [Fact]
    public void Booleans_are_refused_with_a_hint_to_quote_them()
    {
        Names(Refused(WebService("environment: { DEBUG: true }"), "WARD-SCHEMA", "services.web.environment.DEBUG"), "a string or a number or null", "\"true\"");
    }

    [Fact]
    public void Yes_and_on_are_strings_in_yaml_1_2()
    {
        var web = Service(WebService("environment: { A: yes, B: on, C: off }\nlabels: { yes: y }"));
        Assert.Equal("yes", web.Environment["A"]);
        Assert.Equal("y", web.Labels["yes"]);
    }

    [Fact]
    public void Labels_as_list_or_mapping()
    {
        var fromList = Service(WebService("labels: [com.example.tier=web, flag]")).Labels;
        var fromMap = Service(WebService("labels: { com.example.tier: web, flag: }")).Labels;
        Assert.Equal(fromList, fromMap);
        Assert.Equal("", fromList["flag"]);
    }

    [Fact]
    public void Extra_hosts_as_list_or_mapping()
    {
        Assert.Equal(["db:10.0.0.5", "cache:10.0.0.6"], Service(WebService("extra_hosts: [\"db:10.0.0.5\", \"cache:10.0.0.6\"]")).ExtraHosts);
        Assert.Equal(["db:10.0.0.5"], Service(WebService("extra_hosts: { db: 10.0.0.5 }")).ExtraHosts);
    }

    [Fact]
    public void Sysctls_as_list_or_mapping()
    {
        Assert.Equal("1024", Service(WebService("sysctls: [net.core.somaxconn=1024]")).Sysctls["net.core.somaxconn"]);
        Assert.Equal("1", Service(WebService("sysctls: { net.ipv4.tcp_syncookies: 1 }")).Sysctls["net.ipv4.tcp_syncookies"]);
    }

    [Fact]
    public void Ulimits_as_a_number_or_soft_and_hard()
    {
        var web = Service(WebService("ulimits:\n  nproc: 65535\n  nofile: { soft: 20000, hard: 40000 }"));
        Assert.Equal([new UlimitSpec("nproc", 65535, 65535), new UlimitSpec("nofile", 20000, 40000)], web.Ulimits);
    }

    [Fact]
    public void Ulimit_names_outside_the_schema_pattern_still_read()
    {
        Assert.Equal(2, Service(WebService("ulimits: { NOFILE: 5, no_file: { soft: 1, hard: 2 } }")).Ulimits.Count);
    }

    [Theory]
    [InlineData("ulimits: { nofile: { soft: 1 } }", "services.web.ulimits.nofile", "'hard' is required")]
    [InlineData("ulimits: { nofile: abc }", "services.web.ulimits.nofile", "'abc'")]
    [InlineData("ulimits: { NOFILE: abc }", "services.web.ulimits.NOFILE", "'abc'")]
    [InlineData("ulimits: { nofile: { soft: 1, hard: 2, max: 3 } }", "services.web.ulimits.nofile.max", "max")]
    public void Ulimits_the_cli_refuses(string body, string path, string named)
    {
        Names(Refused(WebService(body), "WARD-SCHEMA", path), named);
    }

    [Fact]
    public void Interpolated_ulimits_are_cast()
    {
        Assert.Equal(new UlimitSpec("nofile", 5, 5), Assert.Single(Service(WebService("ulimits: { nofile: \"${N}\" }"), variables: Vars("N=5")).Ulimits));
    }

    [Fact]
    public void Logging_options_take_strings_numbers_and_null_but_not_booleans()
    {
        var logging = Service(WebService("logging:\n  driver: json-file\n  options: { max-size: 10m, max-file: 3, tag: }")).Logging!;
        Assert.Equal(("json-file", "10m", "3"), (logging.Driver, logging.Options["max-size"], logging.Options["max-file"]));
        Refused(WebService("logging: { options: { compress: true } }"), "WARD-SCHEMA", "services.web.logging.options.compress");
    }

    [Fact]
    public void Simple_string_and_boolean_keys()
    {
        var web = Service(WebService("""
            user: "1000:1000"
            working_dir: /app
            hostname: web-1
            read_only: true
            init: true
            tty: true
            stdin_open: true
            cap_add: [NET_BIND_SERVICE]
            cap_drop: [ALL]
            stop_signal: SIGQUIT
            dns: 10.0.0.2
            dns_search: [example.org]
            isolation: default
            """));
        Assert.Equal(("1000:1000", "/app", "web-1", "SIGQUIT", "default"), (web.User, web.WorkingDir, web.Hostname, web.StopSignal, web.Isolation));
        Assert.Equal((true, true, true, true), (web.ReadOnly, web.Init, web.Tty, web.StdinOpen));
        Assert.Equal(["NET_BIND_SERVICE"], web.CapAdd);
        Assert.Equal(["ALL"], web.CapDrop);
        Assert.Equal(["10.0.0.2"], web.Dns);
        Assert.Equal(["example.org"], web.DnsSearch);
    }

    [Theory]
    [InlineData("privileged: yes", "services.web.privileged", "'yes'")]
    [InlineData("read_only: 1", "services.web.read_only", "integer 1")]
    [InlineData("cap_add: [A, A]", "services.web.cap_add[1]", "'A'")]
    [InlineData("user: 1000", "services.web.user", "integer 1000")]
    [InlineData("depends_on: { db: { condition: service_healthy } }", "services.web.depends_on", "a mapping")]
    [InlineData("shm_size: 64", "services.web.shm_size", "integer 64")]
    public void Types_the_cli_refuses(string body, string path, string named)
    {
        Names(Refused(WebService(body), "WARD-SCHEMA", path), named);
    }

    [Theory]
    [InlineData("init: \"${B}\"", "services.web.init")]
    [InlineData("deploy: { resources: { limits: { pids: \"${N}\" } } }", "services.web.deploy.resources.limits.pids")]
    [InlineData("volumes: [{ type: tmpfs, target: /t, tmpfs: { size: \"${N}\" } }]", "services.web.volumes[0].tmpfs.size")]
    public void Interpolated_values_at_keys_the_cli_does_not_cast_stay_strings(string body, string path)
    {
        Refused(WebService(body), "WARD-SCHEMA", path, Vars("B=true", "N=5"));
    }

    [Fact]
    public void A_null_image_is_refused()
    {
        Names(Refused("services:\n  web:\n    image:\n", "WARD-SCHEMA", "services.web.image"), "null", "a string");
        Refused("services:\n  web:\n    image: ~\n", "WARD-SCHEMA", "services.web.image");
    }

    [Fact]
    public void An_image_may_be_empty_or_missing_as_the_cli_accepts_both()
    {
        Assert.Equal("", Service("services:\n  web:\n    image: \"\"").Image);
        Assert.Null(Service("services:\n  web: {}").Image);
    }
}
