using Ward.Model.Spec;
using static Ward.Model.Tests.Support.Reader;

namespace Ward.Model.Tests.Syntax;

/// <summary>A service's secrets, configs and networks, in short and long syntax.</summary>
public sealed class SecretAndNetworkTests
{
    [Fact]
    public void Secrets_and_configs_in_short_syntax()
    {
        var web = Service(WebService("secrets: [db_password]\nconfigs: [nginx_conf]"));
        Assert.Equal(new FileReference { Source = "db_password" }, Assert.Single(web.Secrets));
        Assert.Equal(new FileReference { Source = "nginx_conf" }, Assert.Single(web.Configs));
    }

    [Fact]
    public void Secrets_in_long_syntax_with_an_octal_mode_and_string_ids()
    {
        var web = Service(WebService("secrets:\n  - { source: db_password, target: db.txt, uid: \"1000\", gid: \"1000\", mode: 0440 }"));
        Assert.Equal(new FileReference { Source = "db_password", Target = "db.txt", Uid = "1000", Gid = "1000", Mode = 288, LongSyntax = true }, Assert.Single(web.Secrets));
    }

    [Theory]
    [InlineData("0400", 256)]
    [InlineData("0o440", 288)]
    [InlineData("292", 292)]
    [InlineData("0x124", 292)]
    public void Modes_are_yaml_integers(string mode, int value)
    {
        Assert.Equal(value, Assert.Single(Service(WebService($"configs:\n  - {{ source: c, mode: {mode} }}")).Configs).Mode);
    }

    [Fact]
    public void An_interpolated_mode_is_read_as_a_decimal_number_as_the_cli_does()
    {
        Assert.Equal(400, Assert.Single(Service(WebService("secrets:\n  - { source: s, mode: \"${M}\" }"), variables: Vars("M=0400")).Secrets).Mode);
    }

    [Fact]
    public void Uid_must_be_a_string()
    {
        Names(Refused(WebService("secrets:\n  - { source: s, uid: 1000 }"), "WARD-SCHEMA", "services.web.secrets[0].uid"), "integer 1000", "a string", "\"1000\"");
    }

    [Fact]
    public void A_negative_mode_is_refused()
    {
        Names(Refused(WebService("secrets:\n  - { source: s, mode: -1 }"), "WARD-SCHEMA", "services.web.secrets[0].mode"), "-1");
    }

    [Fact]
    public void Long_syntax_items_are_open_and_need_no_source_as_the_cli_reads_them()
    {
        Reads(WebService("secrets:\n  - { target: x, foo: bar, mode: 1.5 }"));
    }

    [Fact]
    public void Secrets_need_3_1_and_configs_3_3()
    {
        Refused(WebService("secrets: [a]", "3.0"), "CMP-003", "services.web.secrets");
        Refused(WebService("configs: [a]", "3.2"), "CMP-003", "services.web.configs");
        Reads(WebService("configs: [a]", "3.3"));
    }

    [Fact]
    public void References_to_undeclared_secrets_and_networks_still_read()
    {
        var web = Service(WebService("secrets: [nope]\nnetworks: [nope]\nconfigs: [nope]"));
        Assert.Equal(("nope", "nope"), (web.Secrets[0].Source, web.Networks[0].Name));
    }

    [Fact]
    public void Networks_as_a_list()
    {
        var web = Service(WebService("networks: [front, back]"));
        Assert.Equal(["front", "back"], web.Networks.Select(n => n.Name));
        Assert.All(web.Networks, n => Assert.Empty(n.Aliases));
    }

    [Fact]
    public void Networks_as_a_mapping_with_aliases()
    {
        var web = Service(WebService("networks:\n  front:\n    aliases: [www, site]\n  back:\n  db: { ipv4_address: 10.0.0.5 }"));
        Assert.Equal(["front", "back", "db"], web.Networks.Select(n => n.Name));
        Assert.Equal(["www", "site"], web.Networks[0].Aliases);
    }

    [Theory]
    [InlineData("networks: [a, a]", "services.web.networks[1]", "'a'")]
    [InlineData("networks: { a: { aliases: [x, x] } }", "services.web.networks.a.aliases[1]", "'x'")]
    [InlineData("networks: { a: { priority: 5 } }", "services.web.networks.a.priority", "priority")]
    [InlineData("networks: { a: { mac_address: x } }", "services.web.networks.a.mac_address", "mac_address")]
    [InlineData("networks: 5", "services.web.networks", "integer 5")]
    [InlineData("networks: { \"bad name\": {} }", "services.web.networks.bad name", "'bad name'")]
    public void Network_forms_the_cli_refuses(string body, string path, string named)
    {
        Names(Refused(WebService(body), "WARD-SCHEMA", path), named);
    }

    [Fact]
    public void Network_driver_opts_need_3_13()
    {
        Refused(WebService("networks: { a: { driver_opts: { x: y } } }", "3.12"), "CMP-003", "services.web.networks.a.driver_opts");
        Reads(WebService("networks: { a: { driver_opts: { x: y, n: 1 } } }", "3.13"));
    }
}
