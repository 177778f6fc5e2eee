namespace Ward.Bench.LoadBalancer;

/// <summary>The environment the benchmark deploys: the clinic's web front end behind Ward's load balancer.</summary>
internal sealed record BenchEnvironment(string File)
{
    public const string Name = "lbbench";

    public const string Domain = "clinic.bench.test";

    public const int WebPort = 8080;

    /// <summary>The overlay network the web service and the load balancer share (as named in the file).</summary>
    public const string Network = "frontend";

    /// <summary>
    /// The clinic's web service as examples/clinic/production.yaml has it (nginx, SIGQUIT, health check, start-first
    /// updates, two replicas on the workers), its domain served with the load balancer's own authority.
    /// </summary>
    public static BenchEnvironment Write(string folder)
    {
        var file = Path.Combine(folder, "environment.yaml");
        System.IO.File.WriteAllText(file, $$"""
            version: "3.9"
            x-ward:
              environment: { name: {{Name}}, kind: staging }
              domains:
                - name: {{Domain}}
                  service: web
                  port: {{WebPort}}
                  tls: internal
            services:
              web:
                image: clinic/web:1.0
                user: "10001:10001"
                read_only: true
                volumes:
                  - { type: tmpfs, target: /tmp, tmpfs: { size: 16777216 } }
                networks: [ {{Network}} ]
                stop_signal: SIGQUIT
                stop_grace_period: 15s
                healthcheck:
                  test: [ "CMD", "wget", "-q", "-O-", "http://127.0.0.1:8080/health" ]
                  interval: 10s
                  timeout: 3s
                  retries: 3
                  start_period: 10s
                deploy:
                  replicas: 2
                  endpoint_mode: dnsrr
                  placement:
                    constraints: [ "node.role != manager" ]
                    max_replicas_per_node: 2
                  update_config: { parallelism: 1, delay: 5s, failure_action: rollback, monitor: 15s, order: start-first }
                  resources:
                    limits: { cpus: "0.50", memory: 256M, pids: 200 }
                    reservations: { cpus: "0.10", memory: 64M }
            networks:
              {{Network}}: { driver: overlay }
            """);
        return new BenchEnvironment(file);
    }
}
