using Ward.Model.Compose;

namespace Ward.Model.Tests.Syntax;

/// <summary>
/// Image references and bind sources as the Docker CLI 28.2.2 and the engine 20.10 treat them: each case below was
/// seen with the real tools (docker stack deploy against a swarm; the engine's service create API).
/// </summary>
public sealed class ImageAndHostPathTests
{
    [Theory]
    [InlineData("nginx")]
    [InlineData("nginx:1.27")]
    [InlineData("ward/busybox:1.0")]
    [InlineData("registry.example.org:5000/team/app:v1.2_RC-3")]
    [InlineData("localhost/app")]
    [InlineData("Registry.Example.org/app:TAG")]
    [InlineData("a__b/c-d.e:1")]
    [InlineData("app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("app:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Valid_references_pass_both_checks(string image)
    {
        Assert.Null(ImageReferences.EngineProblem(image));
        Assert.Null(ImageReferences.CliProblem(image));
    }

    [Theory]
    [InlineData(null, "no image specified")]
    [InlineData("", "no image specified")]
    [InlineData("busybox:", "invalid reference format")]
    [InlineData(":1.0", "invalid reference format")]
    [InlineData("busybox:1.0 ", "invalid reference format")]
    [InlineData("a//b", "invalid reference format")]
    [InlineData("busybox@sha256:abc", "invalid reference format")]
    [InlineData("app\n", "invalid reference format")]
    [InlineData("Busybox:1", "invalid reference format: repository name (library/Busybox) must be lowercase")]
    [InlineData("team/App", "invalid reference format: repository name (team/App) must be lowercase")]
    [InlineData("app@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "invalid checksum digest format")]
    [InlineData("app@sha256:0123456789abcdef0123456789abcdef", "invalid checksum digest length")]
    [InlineData("app@md5:0123456789abcdef0123456789abcdef", "unsupported digest algorithm")]
    public void Invalid_references_are_refused_with_the_texts_of_the_tools(string? image, string problem)
    {
        Assert.Equal(problem, ImageReferences.EngineProblem(image));
        Assert.Equal(problem, ImageReferences.CliProblem(image));
    }

    [Fact]
    public void The_CLI_lets_an_image_id_through_that_the_engine_refuses()
    {
        var id = new string('a', 64);
        Assert.Null(ImageReferences.CliProblem(id));
        Assert.Equal($"invalid repository name ({id}), cannot specify 64-byte hexadecimal strings", ImageReferences.EngineProblem(id));
    }

    [Theory]
    [InlineData("", ".")]
    [InlineData("/", "/")]
    [InlineData("/a/b/", "/a/b")]
    [InlineData("a//b/./c/..", "a/b")]
    [InlineData("/../x", "/x")]
    [InlineData("../../x", "../../x")]
    [InlineData("a/../..", "..")]
    [InlineData("./", ".")]
    public void Clean_is_Gos_path_Clean(string path, string clean) => Assert.Equal(clean, HostPaths.Clean(path));

    [Theory]
    [InlineData("./logs/", "HOME=/root", "/dir/logs")]
    [InlineData(".", "HOME=/root", "/dir")]
    [InlineData("../up/x", "HOME=/root", "/up/x")]
    [InlineData("/abs/../y//z/", "HOME=/root", "/abs/../y//z/")]
    [InlineData("~/data/", "HOME=/root", "/root/data/")]
    [InlineData("~user/q", "HOME=/root", "/rootuser/q")]
    [InlineData("~/data", "HOME=/home/u/", "/home/u//data")]
    [InlineData("~/data/", "", "/dir/~/data")]
    [InlineData("~/data", "HOME=rel", "/dir/rel/data")]
    [InlineData("~/data/", "HOME=", "/data/")]
    [InlineData(@"C:\data", "HOME=/root", @"C:\data")]
    [InlineData(@"\\server\share\x", "HOME=/root", @"\\server\share\x")]
    [InlineData(@"\\server\share", "HOME=/root", @"/dir/\\server\share")]
    [InlineData("C:data", "HOME=/root", "/dir/C:data")]
    public void Bind_sources_resolve_as_docker_stack_config_prints_them(string source, string home, string resolved)
    {
        string? Lookup(string name) => name == "HOME" && home.StartsWith("HOME=", StringComparison.Ordinal) ? home[5..] : null;
        Assert.Equal(resolved, HostPaths.ResolveBindSource(source, "/dir", Lookup));
    }
}
