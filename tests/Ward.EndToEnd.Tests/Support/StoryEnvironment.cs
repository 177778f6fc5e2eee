namespace Ward.EndToEnd.Tests.Support;

/// <summary>The small busybox environment the stories register: a web service on both workers and a worker service.</summary>
internal static class StoryEnvironment
{
    /// <summary>A name no one else on the shared swarm uses.</summary>
    public static string NewName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    /// <summary>
    /// The file. The nodes are declared as the local cluster has them (worker-1 keeps its database label), because an
    /// apply makes the swarm's node labels match the file, and other environments on the shared swarm rely on them.
    /// </summary>
    /// <param name="switchover">An x-ward.switchover section's body (flow style), for an environment that migrates.</param>
    public static string File(string name, int port, string kind = "staging", string? switchover = null) => $$"""
        version: "3.9"
        x-ward:
          environment: { name: {{name}}, kind: {{kind}} }
          nodes:
            - { name: manager-1, role: manager, size: medium }
            - { name: worker-1, role: worker, size: large, labels: { database: "true" } }
            - { name: worker-2, role: worker, size: large }
          waivers:
            - { rule: IMG-004, target: services.web.user, reason: "the test image's httpd runs as root" }
          {{(switchover is null ? "" : $"switchover: {switchover}")}}
        services:
          web:
            image: {{LocalSwarm.Image}}
            command: ["sh", "-c", "mkdir -p /w && cat /run/secrets/token > /dev/null && echo hello > /w/index.html && httpd -f -p 8080 -h /w"]
            ports: [ { target: 8080, published: {{port}}, mode: host } ]
            secrets: [ token ]
            networks: [ front ]
            deploy:
              replicas: 2
              placement: { constraints: [ "node.role != manager" ], max_replicas_per_node: 1 }
          worker:
            image: {{LocalSwarm.Image}}
            command: ["sleep", "3600"]
            networks: [ front ]
            deploy:
              placement: { constraints: [ "node.role != manager" ] }
        networks:
          front: { driver: overlay }
        secrets:
          token: {}
        """;
}
