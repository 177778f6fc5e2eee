using Ward.Model.Diagnostics;
using static Ward.Model.Tests.Support.Reader;

namespace Ward.Model.Tests.Reading;

/// <summary>Positions of values, keys and missing paths; and every problem of a file reported at once.</summary>
public sealed class LocateAndReportTests
{
    private const string File = """
        version: "3.8"
        services:
          web:
            image: nginx:1.27
            ports:
              - "8080:80"
              - target: 443
            deploy:
              replicas: 2
          "with.dot":
            image: redis
        x-ward:
          nodes:
            - name: m
              size: small
        """;

    [Theory]
    [InlineData("services.web.image", 4, 12)]
    [InlineData("services.web.deploy.replicas", 9, 17)]
    [InlineData("services.web.ports[0]", 6, 9)]
    [InlineData("services.web.ports[1].target", 7, 17)]
    [InlineData("services.web.ports[1]", 7, 9)]
    [InlineData("x-ward.nodes[0].size", 15, 13)]
    [InlineData("services[\"with.dot\"].image", 11, 12)]
    public void Scalars_locate_at_their_value(string path, int line, int column)
    {
        Assert.Equal(new SourceLocation(FileName, line, column), Read(File).Locate(path));
    }

    [Theory]
    [InlineData("services.web.deploy", 8, 5)]
    [InlineData("services.web.ports", 5, 5)]
    [InlineData("services.web", 3, 3)]
    [InlineData("x-ward.nodes", 13, 3)]
    public void Mappings_and_lists_locate_at_their_key(string path, int line, int column)
    {
        Assert.Equal(new SourceLocation(FileName, line, column), Read(File).Locate(path));
    }

    [Theory]
    [InlineData("services.web.deploy.resources.limits.memory", 8, 5)]
    [InlineData("services.web.healthcheck", 3, 3)]
    [InlineData("services.web.ports[7]", 5, 5)]
    [InlineData("services.api.image", 2, 1)]
    [InlineData("services.web.image[0]", 4, 12)]
    [InlineData("services.web.ports.target", 5, 5)]
    [InlineData("services.web.deploy[0].replicas", 8, 5)]
    public void Missing_paths_locate_at_the_nearest_written_ancestor(string path, int line, int column)
    {
        Assert.Equal(new SourceLocation(FileName, line, column), Read(File).Locate(path));
    }

    [Theory]
    [InlineData("services[web")]
    [InlineData("services.web.ports[x]")]
    [InlineData("services[\"web\".image")]
    public void A_malformed_path_is_the_document(string path)
    {
        Assert.Equal(new SourceLocation(FileName, 1, 1), Read(File).Locate(path));
    }

    [Fact]
    public void A_quoted_key_with_an_escaped_quote_is_found()
    {
        var result = Read("services:\n  web:\n    image: nginx\n    labels:\n      'com.example.\"q\"': x\n");
        Assert.Equal(new SourceLocation(FileName, 5, 26), result.Locate("services.web.labels[\"com.example.\\\"q\\\"\"]"));
    }

    [Fact]
    public void The_empty_path_is_the_document()
    {
        Assert.Equal(new SourceLocation(FileName, 1, 1), Read(File).Locate(""));
    }

    [Fact]
    public void An_unreadable_file_still_locates_what_it_can()
    {
        var result = Read("services:\n  web:\n    image: nginx\n    replicas: 3\n");
        Assert.Null(result.Spec);
        Assert.Equal(new SourceLocation(FileName, 3, 12), result.Locate("services.web.image"));
    }

    [Fact]
    public void Every_problem_in_a_file_is_reported_together()
    {
        var result = Read("""
            version: "3.8"
            services:
              web:
                image: nginx
                imag: typo
                ports: ["70000"]
                deploy:
                  replicas: "2"
                  resources:
                    limits: { memory: lots, cpus: 1 }
                environment: { DEBUG: true }
                init: "yes"
                mem_limit: 1g
              api:
                image: "${TAG"
                stop_grace_period: 10
            volumes:
              data: { external: true, driver: local }
            x-ward:
              nodes:
                - { name: a, size: huge }
                - { name: a, size: small }
              domains: [{ name: x.org, service: nope }]
              colour: blue
            """);
        Assert.Null(result.Spec);
        var expected = new (string Code, string Path)[]
        {
            ("WARD-SCHEMA", "services.web.imag"),
            ("WARD-SCHEMA", "services.web.ports[0]"),
            ("WARD-SCHEMA", "services.web.deploy.replicas"),
            ("WARD-SCHEMA", "services.web.deploy.resources.limits.memory"),
            ("WARD-SCHEMA", "services.web.deploy.resources.limits.cpus"),
            ("WARD-SCHEMA", "services.web.environment.DEBUG"),
            ("WARD-SCHEMA", "services.web.init"),
            ("CMP-002", "services.web.mem_limit"),
            ("WARD-INTERP", "services.api.image"),
            ("WARD-SCHEMA", "services.api.stop_grace_period"),
            ("WARD-SCHEMA", "volumes.data.driver"),
            ("WARD-SPEC", "x-ward.nodes[0].size"),
            ("WARD-SPEC", "x-ward.nodes[1].name"),
            ("WARD-SPEC", "x-ward.domains[0].service"),
        };
        foreach (var (code, path) in expected)
        {
            var found = result.Diagnostics.FirstOrDefault(d => d.Code == code && d.Path == path && d.BlocksReading);
            Assert.True(found is not null, $"missing {code} at {path}:\n{Describe(result)}");
            Assert.NotNull(found.Location);
        }

        Assert.Contains(result.Diagnostics, d => d is { Code: "READ-001", Path: "x-ward.colour", Severity: Severity.Warning });
    }

    [Fact]
    public void The_same_bad_value_is_reported_once()
    {
        var result = Read(WebService("deploy: { resources: { limits: { memory: lots } } }"));
        Assert.Single(result.Diagnostics, d => d.Path == "services.web.deploy.resources.limits.memory");
    }

    [Fact]
    public void Diagnostics_print_file_line_column_severity_code_and_path()
    {
        var error = Refused(WebService("deploy: { replicas: \"2\" }"), "WARD-SCHEMA", "services.web.deploy.replicas");
        Assert.StartsWith("env.yml:5:25: error WARD-SCHEMA: services.web.deploy.replicas: expected an integer, found the string '2'", error.ToString(), StringComparison.Ordinal);
    }
}
