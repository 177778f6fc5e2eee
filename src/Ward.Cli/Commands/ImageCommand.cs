using System.CommandLine;
using Ward.Docker.Cluster;
using Ward.Docker.Images;

namespace Ward.Cli.Commands;

/// <summary><c>ward image</c>: images on the local cluster's nodes without a registry.</summary>
internal static class ImageCommand
{
    public static Command Create()
    {
        var archive = new Argument<string>("ARCHIVE") { Description = "An image archive in docker save format (a .tar)." };
        var load = new Command("load", "Load an image archive (docker save format) into every node of the local cluster.") { archive };
        load.SetAction((parse, token) => Run(distributor => distributor.LoadAsync(() => File.OpenRead(parse.GetValue(archive)!), token)));

        var rootfs = new Argument<string>("ROOTFS") { Description = "A tar of a root filesystem." };
        var tag = new Option<string>("--tag", "-t") { Description = "The image reference, e.g. clinic/api:1.0.", Required = true };
        var change = new Option<string[]>("--change", "-c") { Description = "A Dockerfile instruction to apply (CMD, ENTRYPOINT, USER, ENV, WORKDIR, EXPOSE, LABEL); repeatable.", AllowMultipleArgumentsPerToken = false };
        var import = new Command("import", "Import a root filesystem tar as an image, then copy it to every node of the local cluster.") { rootfs, tag, change };
        import.SetAction((parse, token) => Run(async distributor =>
        {
            await using (var stream = File.OpenRead(parse.GetValue(rootfs)!))
            {
                await distributor.ImportAsync(stream, parse.GetValue(tag)!, parse.GetValue(change) ?? [], null, token);
            }

            await distributor.EnsureEverywhereAsync([parse.GetValue(tag)!], token);
        }));

        var images = new Argument<string[]>("IMAGE") { Description = "Images to make present on every node.", Arity = ArgumentArity.OneOrMore };
        var sync = new Command("sync", "Copy images to every node of the local cluster that lacks them, from a node that has them.") { images };
        sync.SetAction((parse, token) => Run(async distributor =>
        {
            var missing = await distributor.EnsureEverywhereAsync(parse.GetValue(images)!, token);
            if (missing.Count > 0)
            {
                throw new ClusterException($"no node has {string.Join(", ", missing)}; load or import it first");
            }
        }));

        return new Command("image", "Put images on the local cluster's nodes (there is no registry): load archives, import root filesystems, copy between nodes.")
        {
            load, import, sync,
        };
    }

    private static async Task<int> Run(Func<ImageDistributor, Task> operation)
    {
        if (LocalCluster.Load() is not { } layout)
        {
            Console.Error.WriteLine("ward: no local cluster is up (ward cluster up)");
            return ExitCodes.Unavailable;
        }

        return await Failures.RunAsync(async () =>
        {
            await operation(new ImageDistributor([.. layout.Nodes.Select(n => n.Endpoint)], message => Console.Error.WriteLine($"ward: {message}")));
            return ExitCodes.Ok;
        });
    }
}
