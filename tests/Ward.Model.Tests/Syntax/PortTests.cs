using Ward.Model.Spec;
using static Ward.Model.Tests.Support.Reader;

namespace Ward.Model.Tests.Syntax;

/// <summary>Ports, short syntax ([[ip:]published:]target[/protocol], nat.ParsePortSpec) and long syntax (3.2+).</summary>
public sealed class PortTests
{
    private static IReadOnlyList<PortSpec> Ports(string item, string version = "3.13") =>
        Service(WebService($"ports:\n  - {item}", version)).Ports;

    [Theory]
    [InlineData("80", 80, null, "tcp")]
    [InlineData("\"80\"", 80, null, "tcp")]
    [InlineData("8080:80", 80, 8080, "tcp")]
    [InlineData("\"8080:80\"", 80, 8080, "tcp")]
    [InlineData("22:22", 22, 22, "tcp")]
    [InlineData("\"53:53/udp\"", 53, 53, "udp")]
    [InlineData("\"80/sctp\"", 80, null, "sctp")]
    [InlineData("\"80/TCP\"", 80, null, "tcp")]
    [InlineData("\"80/tcp/udp\"", 80, null, "tcp")]
    [InlineData("\"8080:80/\"", 80, 8080, "tcp")]
    [InlineData("\"0\"", 0, null, "tcp")]
    [InlineData("\"65535\"", 65535, null, "tcp")]
    [InlineData("\"080\"", 80, null, "tcp")]
    [InlineData("\":80\"", 80, null, "tcp")]
    [InlineData("\"::80\"", 80, null, "tcp")]
    public void Short_syntax_single_ports(string item, int target, int? published, string protocol)
    {
        var port = Assert.Single(Ports(item));
        Assert.Equal(target, port.Target);
        Assert.Equal(published, port.Published);
        Assert.Equal(protocol, port.Protocol);
        Assert.Equal("ingress", port.Mode);
        Assert.Null(port.HostIp);
    }

    [Fact]
    public void A_range_expands_to_one_port_each()
    {
        var ports = Ports("\"8000-8002:9000-9002/udp\"");
        Assert.Equal([9000, 9001, 9002], ports.Select(p => p.Target));
        Assert.Equal([8000, 8001, 8002], ports.Select(p => p.Published ?? -1));
        Assert.All(ports, p => Assert.Equal("udp", p.Protocol));
    }

    [Fact]
    public void A_target_range_without_published_ports()
    {
        Assert.Equal([1, 2, 3], Ports("\"1-3\"").Select(p => p.Target));
    }

    [Fact]
    public void A_published_range_for_one_target_publishes_every_port_of_the_range_to_it()
    {
        // As docker stack config and deploy 28.2.2 do (issue 15's differential test found Ward keeping only the first).
        Assert.Equal([(70, 8000), (70, 8001), (70, 8002)], Ports("\"8000-8002:70\"").Select(p => (p.Target, p.Published!.Value)));
    }

    [Fact]
    public void Parts_after_the_second_dash_of_a_range_are_ignored_as_by_the_cli()
    {
        Assert.Equal([1, 2], Ports("\"1-2-3\"").Select(p => p.Target));
    }

    [Theory]
    [InlineData("\"127.0.0.1:8080:80\"", "127.0.0.1", 80, 8080)]
    [InlineData("\"127.0.0.1::80\"", "127.0.0.1", 80, null)]
    [InlineData("\"[::1]:80:80\"", "[::1]", 80, 80)]
    [InlineData("\"::1:80:80\"", "::1", 80, 80)]
    [InlineData("\"[1.2.3.4]:80:80\"", "[1.2.3.4]", 80, 80)]
    [InlineData("\"::ffff:1.2.3.4:80:80\"", "::ffff:1.2.3.4", 80, 80)]
    public void A_host_ip_is_read_though_swarm_ignores_it(string item, string ip, int target, int? published)
    {
        var port = Assert.Single(Ports(item));
        Assert.Equal((ip, target, published), (port.HostIp, port.Target, port.Published));
    }

    [Fact]
    public void An_ip_with_a_range_keeps_the_ip_on_every_port()
    {
        var ports = Ports("\"1.2.3.4:80-81:80-81\"");
        Assert.Equal(2, ports.Count);
        Assert.All(ports, p => Assert.Equal("1.2.3.4", p.HostIp));
    }

    [Theory]
    [InlineData("\"8000-8010:8000-8009\"", "different lengths")]
    [InlineData("\"80-79\"", "'80-79'")]
    [InlineData("\"80/foo\"", "protocol 'foo'")]
    [InlineData("\"70000\"", "'70000'")]
    [InlineData("70000", "'70000'")]
    [InlineData("-1", "'-1'")]
    [InlineData("\"abc\"", "'abc'")]
    [InlineData("\"80:abc\"", "'80:abc'")]
    [InlineData("\"8080:80:90\"", "'8080'")]
    [InlineData("\"localhost:80:80\"", "'localhost'")]
    [InlineData("\"999.1.1.1:80:80\"", "'999.1.1.1'")]
    [InlineData("\"01.2.3.4:80:80\"", "'01.2.3.4'")]
    [InlineData("\"1.2.3:80:80\"", "'1.2.3'")]
    [InlineData("\"1.2.3.4:80\"", "'1.2.3.4'")]
    [InlineData("\"[::1]:80\"", "'[::1]:80'")]
    [InlineData("\"[fe80::1%eth0]:80:80\"", "'[fe80::1%eth0]'")]
    [InlineData("\" 80\"", "' 80'")]
    [InlineData("\"80 \"", "'80 '")]
    [InlineData("\"80-\"", "'80-'")]
    [InlineData("\"+80\"", "'+80'")]
    [InlineData("\"\"", "''")]
    [InlineData("\"8080:\"", "'8080:'")]
    [InlineData("\"0x50\"", "'0x50'")]
    public void Short_syntax_the_cli_refuses(string item, string named)
    {
        var error = Refused(WebService($"ports:\n  - {item}"), "WARD-SCHEMA", "services.web.ports[0]");
        Names(error, named, "published:]target[/protocol]");
    }

    [Fact]
    public void A_float_port_is_refused()
    {
        Refused(WebService("ports:\n  - 1.5"), "WARD-SCHEMA", "services.web.ports[0]");
    }

    [Fact]
    public void Long_syntax_reads_every_key()
    {
        var port = Assert.Single(Ports("{ target: 80, published: 8080, protocol: udp, mode: host }", "3.2"));
        Assert.Equal(new PortSpec { Target = 80, Published = 8080, Protocol = "udp", Mode = "host" }, port);
    }

    [Fact]
    public void Long_syntax_defaults_to_tcp_in_ingress_mode()
    {
        var port = Assert.Single(Ports("{ target: 80 }"));
        Assert.Equal(("tcp", "ingress", (int?)null), (port.Protocol, port.Mode, port.Published));
    }

    [Fact]
    public void Long_syntax_needs_3_2()
    {
        var error = Refused(WebService("ports:\n  - { target: 80 }", "3.1"), "CMP-003", "services.web.ports[0]");
        Names(error, "3.2", "\"3.1\"");
    }

    [Fact]
    public void Long_syntax_accepts_an_empty_mapping_as_the_cli_does_but_the_deploy_would_fail()
    {
        var blocker = ReadsWith(WebService("ports:\n  - {}"), "CMP-002", "services.web.ports[0]");
        Names(blocker, "target");
    }

    [Theory]
    [InlineData("host_ip: 127.0.0.1", "services.web.ports[0].host_ip")]
    [InlineData("name: web", "services.web.ports[0].name")]
    [InlineData("x-note: a", "services.web.ports[0].x-note")]
    public void Long_syntax_keys_the_cli_refuses(string extra, string path)
    {
        var error = Refused(WebService($"ports:\n  - {{ target: 80, {extra} }}"), "WARD-SCHEMA", path);
        Names(error, extra.Split(':')[0]);
    }

    [Theory]
    [InlineData("target: -5", "services.web.ports[0].target", "-5")]
    [InlineData("target: 80, published: -1", "services.web.ports[0].published", "-1")]
    [InlineData("target: 80, published: \"8080\"", "services.web.ports[0].published", "'8080'")]
    public void Long_syntax_numbers_must_be_unsigned_integers(string body, string path, string named)
    {
        Names(Refused(WebService($"ports:\n  - {{ {body} }}"), "WARD-SCHEMA", path), named);
    }

    [Fact]
    public void A_target_above_65535_in_long_syntax_is_accepted_as_the_cli_stores_uint32()
    {
        Assert.Equal(70000, Assert.Single(Ports("{ target: 70000 }")).Target);
    }

    [Fact]
    public void Interpolated_long_syntax_numbers_are_cast()
    {
        var port = Assert.Single(Service(WebService("ports:\n  - { target: \"${T}\", published: \"${P}\" }"), variables: Vars("T=80", "P=8080")).Ports);
        Assert.Equal((80, (int?)8080), (port.Target, port.Published));
    }

    [Fact]
    public void Interpolated_short_syntax_is_checked_after_substitution()
    {
        Refused(WebService("ports:\n  - \"${P}\""), "WARD-SCHEMA", "services.web.ports[0]", Vars("P=abc"));
        Assert.Equal(8080, Assert.Single(Service(WebService("ports:\n  - \"${P}:80\""), variables: Vars("P=8080")).Ports).Published);
    }

    [Theory]
    [InlineData("[\"80\", \"80\"]", "repeats item 0")]
    [InlineData("[80, 80]", "repeats item 0")]
    [InlineData("[80, 0x50]", "repeats item 0")]
    [InlineData("[{target: 80, published: 8080}, {published: 8080, target: 80}]", "repeats item 0")]
    [InlineData("[80, 80.0]", "'80.0'")]
    public void Duplicate_items_are_refused_compared_as_json(string list, string named)
    {
        var error = Refused(WebService($"ports: {list}"), "WARD-SCHEMA", "services.web.ports[1]");
        Names(error, named);
    }

    [Fact]
    public void A_number_and_a_string_of_the_same_port_are_different_items()
    {
        Assert.Equal(2, Service(WebService("ports: [80, \"80\"]")).Ports.Count);
    }
}
