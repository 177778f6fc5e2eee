using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Ward.Cli.Tests;

/// <summary>
/// A clean clone is the truth: files the build, the images or the main job read must be committed. A `.gitignore`
/// line once hid the clinic's PostgreSQL entrypoint (a bare `bin/` matched its rootfs/usr/local/bin), so ./ward up
/// worked only in the tree that had it.
/// </summary>
public sealed class RepositoryFilesTests
{
    [Fact]
    public async Task No_file_under_examples_or_scripts_is_ignored_by_git()
    {
        var ignored = await GitAsync("ls-files", "--others", "--ignored", "--exclude-standard", "--", "examples", "scripts");
        Assert.True(ignored.Trim().Length == 0, $"git ignores files the images or the main job read; commit them or narrow .gitignore:\n{ignored}");
    }

    [Theory]
    [InlineData("examples/clinic/app/postgres/rootfs/usr/local/bin/clinic-postgres")]
    [InlineData("examples/clinic/app/web/rootfs/usr/bin/tool")]
    [InlineData("examples/clinic/app/api/rootfs/opt/app/obj/data")]
    [InlineData("scripts/bin/helper.sh")]
    public async Task Gitignore_ignores_build_outputs_only_not_folders_images_are_made_of(string path)
    {
        // --no-index: judge the path by the patterns alone, whether or not it exists or is tracked.
        var (code, output) = await RunAsync("git", "check-ignore", "--no-index", "--verbose", path);
        Assert.True(code == 1, $"{path} would be ignored by git ({output.Trim()}): a file there would be missing from every clean clone");
    }

    [Theory]
    [InlineData("src/Ward.Cli/bin/Release/ward.dll")]
    [InlineData("tests/Ward.Cli.Tests/obj/project.assets.json")]
    [InlineData(".build/cli/ward.dll")]
    public async Task Build_outputs_are_ignored(string path)
    {
        var (code, _) = await RunAsync("git", "check-ignore", "--no-index", "--quiet", path);
        Assert.Equal(0, code);
    }

    public static TheoryData<string> Recipes() => [.. Directory.EnumerateFiles(Repository.PathOf("examples"), "build.conf", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Repository.Root, f))];

    [Theory]
    [MemberData(nameof(Recipes))]
    public async Task The_program_an_image_starts_from_its_own_files_is_committed(string recipe)
    {
        // ENTRYPOINT ["/usr/local/bin/clinic-postgres"] or CMD ["python3", "/app/api.py"]: paths the recipe provides
        // (/usr/local, /app, /srv, or any its rootfs/ holds) are files of the repository, and must be tracked.
        var folder = Path.GetDirectoryName(recipe)!;
        var paths = Regex.Matches(File.ReadAllText(Repository.PathOf(recipe)), @"'(?:ENTRYPOINT|CMD) \[([^\]]*)\]'")
            .SelectMany(m => Regex.Matches(m.Groups[1].Value, "\"(/[^\"]+)\"").Select(p => p.Groups[1].Value))
            .Where(p => p.StartsWith("/usr/local/", StringComparison.Ordinal) || p.StartsWith("/app/", StringComparison.Ordinal) || p.StartsWith("/srv/", StringComparison.Ordinal) || File.Exists(Repository.PathOf(folder, "rootfs" + p)))
            .ToList();
        foreach (var path in paths)
        {
            var file = $"{folder}/rootfs{path}";
            var (code, _) = await RunAsync("git", "ls-files", "--error-unmatch", file);
            Assert.True(code == 0, $"{recipe} starts {path}, but {file} is not committed: the image built from a clean clone would lack it");
        }
    }

    private static async Task<string> GitAsync(params string[] args)
    {
        var (code, output) = await RunAsync("git", args);
        Assert.True(code == 0, $"git {string.Join(' ', args)} failed: {output}");
        return output;
    }

    private static async Task<(int Code, string Output)> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = Repository.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }
}
