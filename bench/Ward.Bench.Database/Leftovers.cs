using Ward.Docker.Cluster;

namespace Ward.Bench.Database;

/// <summary>
/// What a run leaves on a cluster it keeps (--keep-cluster), removed at the start and at the end: the environment
/// (the database, its repository and the restored copies), the jobs and the rehearsals' records and secrets, which
/// carry no stack namespace, and the named volumes on every node, which ward destroy leaves as docker stack rm does
/// (with the exited containers of the finished jobs that still hold them).
/// A node the run stopped is started again first, so its volumes can go too.
/// </summary>
internal static class Leftovers
{
    public static async Task RemoveAsync(ClusterLayout layout, BenchDatabase database)
    {
        foreach (var node in layout.Nodes)
        {
            if ((await Docker(node, "info")).ExitCode != 0)
            {
                await Shell.RunAsync(Shell.Ward, ["cluster", "start-node", node.Name], CancellationToken.None);
            }
        }

        await Shell.RunAsync(Shell.Ward, ["destroy", BenchDatabase.Environment, "--yes", "--host", database.Host], CancellationToken.None);
        var manager = layout.Manager!;
        foreach (var (kind, filter) in new[] { ("service", $"label=ward.job.environment={BenchDatabase.Environment}"), ("secret", $"label=ward.job.environment={BenchDatabase.Environment}"), ("config", $"label=ward.rehearsal.environment={BenchDatabase.Environment}") })
        {
            var ids = (await Docker(manager, kind, "ls", "-q", "--filter", filter)).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (ids.Length > 0)
            {
                await Docker(manager, [kind, "rm", .. ids]);
            }
        }

        foreach (var node in layout.Nodes)
        {
            // A volume is removed once the containers of the removed services that used it are gone.
            for (var attempt = 0; attempt < 30; attempt++)
            {
                var volumes = (await Docker(node, "volume", "ls", "-q", "--filter", $"label=com.docker.stack.namespace={BenchDatabase.Environment}")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                if (volumes.Length == 0 || (await Docker(node, ["volume", "rm", .. volumes])).ExitCode == 0)
                {
                    break;
                }

                // The exited containers of finished jobs stay on their node after the job is removed, holding the volumes.
                foreach (var volume in volumes)
                {
                    var holders = (await Docker(node, "ps", "-a", "-q", "--filter", "status=exited", "--filter", $"volume={volume}")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                    if (holders.Length > 0)
                    {
                        await Docker(node, ["rm", .. holders]);
                    }
                }

                await Task.Delay(1000);
            }
        }
    }

    private static Task<Ran> Docker(LocalNode node, params string[] arguments) =>
        Shell.RunAsync(Shell.Docker, ["-H", "unix://" + node.Socket, .. arguments], CancellationToken.None);
}
