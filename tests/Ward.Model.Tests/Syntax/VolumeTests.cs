using Ward.Model.Spec;
using static Ward.Model.Tests.Support.Reader;

namespace Ward.Model.Tests.Syntax;

/// <summary>Service volumes: short syntax [source:]target[:options] and long syntax (3.2+).</summary>
public sealed class VolumeTests
{
    private static MountSpec Mount(string item, string version = "3.13") =>
        Assert.Single(Service(WebService($"volumes:\n  - {item}", version)).Volumes);

    [Theory]
    [InlineData("data:/var/lib/x", MountType.Volume, "data", "/var/lib/x")]
    [InlineData("./dir:/x", MountType.Bind, "./dir", "/x")]
    [InlineData("../up:/x", MountType.Bind, "../up", "/x")]
    [InlineData("/abs:/x", MountType.Bind, "/abs", "/x")]
    [InlineData("~/cfg:/x", MountType.Bind, "~/cfg", "/x")]
    [InlineData("/a:relative", MountType.Bind, "/a", "relative")]
    [InlineData("C:/data:/x", MountType.Bind, "C:/data", "/x")]
    [InlineData("'\\\\srv\\share:/x'", MountType.Bind, "\\\\srv\\share", "/x")]
    [InlineData("a:b:c:d", MountType.Bind, "a:b", "c:d")]
    [InlineData("\"a:b:c:d:e\"", MountType.Bind, "a:b", "c:d")]
    [InlineData("x:/a:/b:c", MountType.Bind, "x:/a", "/b")]
    public void Short_syntax_source_and_target(string item, MountType type, string source, string target)
    {
        var mount = Mount(item);
        Assert.Equal((type, source, target), (mount.Type, mount.Source, mount.Target));
        Assert.False(mount.ReadOnly);
    }

    [Theory]
    [InlineData("/anon")]
    [InlineData("data")]
    [InlineData("relative/path")]
    [InlineData("ab")]
    [InlineData("\"C:\"")]
    public void A_lone_field_is_the_target_of_an_anonymous_volume(string item)
    {
        var mount = Mount(item);
        Assert.Equal((MountType.Volume, (string?)null, item.Trim('"')), (mount.Type, mount.Source, mount.Target));
    }

    [Theory]
    [InlineData("./dir:/x:ro", true, false, null)]
    [InlineData("/abs:/x:rw", false, false, null)]
    [InlineData("/a:/b:ro,rw", false, false, null)]
    [InlineData("data:/x:nocopy", false, true, null)]
    [InlineData("data:/x:ro,nocopy", true, true, null)]
    [InlineData("/a:/x:rshared", false, false, "rshared")]
    [InlineData("/a:/x:ro,slave", true, false, "slave")]
    [InlineData("/a:/x:z", false, false, null)]
    [InlineData("/a:/x:Z,delegated,cached,consistent", false, false, null)]
    [InlineData("/a:/x:bogus", false, false, null)]
    public void Short_syntax_options(string item, bool readOnly, bool noCopy, string? propagation)
    {
        var mount = Mount(item);
        Assert.Equal((readOnly, noCopy, propagation), (mount.ReadOnly, mount.NoCopy, mount.Propagation));
    }

    [Theory]
    [InlineData("/a:/x:ro:extra", "too many colons")]
    [InlineData("\"/a:/b:c:d:e\"", "too many colons")]
    [InlineData("\"data:/x:\"", "empty section")]
    [InlineData("\":/x\"", "empty section")]
    [InlineData("/a::/x", "empty section")]
    [InlineData("\"\"", "empty volume")]
    public void Short_syntax_the_cli_refuses(string item, string named)
    {
        Names(Refused(WebService($"volumes:\n  - {item}"), "WARD-SCHEMA", "services.web.volumes[0]"), named);
    }

    [Fact]
    public void Named_volumes_need_no_top_level_declaration()
    {
        Assert.Equal("undeclared", Mount("undeclared:/x").Source);
    }

    [Fact]
    public void Duplicate_short_items_are_refused_before_3_2_only()
    {
        Refused(WebService("volumes: [a:/a, a:/a]", "3.1"), "WARD-SCHEMA", "services.web.volumes[1]");
        Assert.Equal(2, Service(WebService("volumes: [a:/a, a:/a]", "3.2")).Volumes.Count);
    }

    [Fact]
    public void Long_syntax_volume()
    {
        var mount = Mount("{ type: volume, source: data, target: /data, read_only: true, volume: { nocopy: true } }");
        Assert.Equal(new MountSpec { Type = MountType.Volume, Source = "data", Target = "/data", ReadOnly = true, NoCopy = true }, mount);
    }

    [Fact]
    public void Long_syntax_bind_with_propagation_and_consistency()
    {
        var mount = Mount("{ type: bind, source: /srv, target: /srv, consistency: cached, bind: { propagation: rslave } }");
        Assert.Equal((MountType.Bind, "/srv", "rslave", "cached"), (mount.Type, mount.Source, mount.Propagation, mount.Consistency));
    }

    [Fact]
    public void Long_syntax_bind_needs_a_source()
    {
        Names(Refused(WebService("volumes:\n  - { type: bind, target: /x }"), "WARD-SCHEMA", "services.web.volumes[0]"), "source");
        Refused(WebService("volumes:\n  - { type: bind, source: \"\", target: /x }"), "WARD-SCHEMA", "services.web.volumes[0]");
    }

    [Fact]
    public void Long_syntax_tmpfs_size_in_bytes()
    {
        var mount = Mount("{ type: tmpfs, target: /tmp, tmpfs: { size: 67108864 } }", "3.6");
        Assert.Equal((MountType.Tmpfs, (long?)67108864), (mount.Type, mount.TmpfsSizeBytes));
    }

    [Theory]
    [InlineData("size: -1", "below the minimum")]
    [InlineData("size: 64m", "'64m'")]
    public void Long_syntax_tmpfs_size_must_be_a_non_negative_integer(string size, string named)
    {
        Names(Refused(WebService($"volumes:\n  - {{ type: tmpfs, target: /t, tmpfs: {{ {size} }} }}"), "WARD-SCHEMA", "services.web.volumes[0].tmpfs.size"), named);
    }

    [Fact]
    public void Long_syntax_tmpfs_options_need_3_6()
    {
        Names(Refused(WebService("volumes:\n  - { type: tmpfs, target: /t, tmpfs: { size: 1 } }", "3.5"), "CMP-003", "services.web.volumes[0].tmpfs"), "3.6");
    }

    [Fact]
    public void Long_syntax_needs_a_type()
    {
        var result = Read(WebService("volumes:\n  - { source: a, target: /a }"));
        Names(Refused(result, "WARD-SCHEMA", "services.web.volumes[0]"), "'type' is required");
        Assert.Single(result.Diagnostics, d => d.Severity == Diagnostics.Severity.Error);
    }

    [Fact]
    public void Long_syntax_needs_3_2()
    {
        Refused(WebService("volumes:\n  - { type: volume, source: a, target: /a }", "3.1"), "CMP-003", "services.web.volumes[0]");
    }

    [Fact]
    public void Long_syntax_option_objects_are_open()
    {
        Mount("{ type: bind, source: /a, target: /a, bind: { create_host_path: true, selinux: z }, volume: { subpath: x } }");
        Mount("{ type: tmpfs, target: /a, tmpfs: { size: 1, mode: 1777 } }");
    }

    [Fact]
    public void Any_type_reads_as_the_cli_does_but_an_unknown_one_blocks_the_deploy()
    {
        Names(ReadsWith(WebService("volumes:\n  - { type: foo, source: a, target: /a }"), "CMP-002", "services.web.volumes[0].type"), "'foo'", "volume, bind or tmpfs");
    }

    [Fact]
    public void Long_syntax_keys_outside_the_schema_are_refused()
    {
        Names(Refused(WebService("volumes:\n  - { type: volume, source: a, target: /a, x-note: 1 }"), "WARD-SCHEMA", "services.web.volumes[0].x-note"), "x-note");
    }
}
