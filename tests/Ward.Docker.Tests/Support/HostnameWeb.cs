namespace Ward.Docker.Tests.Support;

/// <summary>
/// The web service the load balancer tests route to: busybox's httpd on port 8080 answering its task's host name (its
/// container's short id, so a test can tell which task served), two tasks on the workers, on the overlay network
/// <c>front</c>, found by DNS (dnsrr) as the load balancer finds them.
/// </summary>
internal static class HostnameWeb
{
    public const int Port = 8080;

    /// <summary>The service's lines under <c>services:</c>, with <paramref name="deploy"/> (one line, such as an update_config) added to its deploy section.</summary>
    public static string Service(string deploy = "") => $$"""
          web:
            image: {{TestCluster.Image}}
            command: [ "sh", "-c", "hostname > /www/index.html && exec httpd -f -p {{Port}} -h /www" ]
            stop_grace_period: 2s
            networks: [ front ]
            deploy:
              replicas: 2
              endpoint_mode: dnsrr
              placement: { constraints: [ "node.role == worker" ], max_replicas_per_node: 2 }
              {{deploy}}
        """;
}
