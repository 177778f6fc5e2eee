using System.Globalization;
using System.Text;

namespace Ward.Bench.Check;

/// <summary>Writes a large, realistic environment file: many services of a few kinds, nodes, secrets and configs.</summary>
internal static class EnvironmentGenerator
{
    public static string Generate(int services, int nodes, int secrets, int configs)
    {
        var text = new StringBuilder(services * 700);
        text.AppendLine("version: \"3.9\"");
        text.AppendLine("x-ward:");
        text.AppendLine("  environment: { name: bench, kind: production }");
        text.AppendLine("  nodes:");
        text.AppendLine("    - { name: manager-1, role: manager, size: x-large, address: 10.0.0.1 }");
        for (var n = 1; n < nodes; n++)
        {
            var labels = n <= 10 ? $", labels: {{ shard: \"{n}\" }}" : "";
            text.AppendLine(CultureInfo.InvariantCulture, $"    - {{ name: worker-{n}, role: worker, size: x-large, zone: z{n % 3}{labels} }}");
        }

        text.AppendLine("x-deploy: &deploy");
        text.AppendLine("  replicas: 2");
        text.AppendLine("  placement: { constraints: [ \"node.role != manager\" ], max_replicas_per_node: 1 }");
        text.AppendLine("  restart_policy: { condition: on-failure, delay: 5s, max_attempts: 5, window: 120s }");
        text.AppendLine("  update_config: { parallelism: 1, delay: 10s, failure_action: rollback, monitor: 60s, order: start-first }");
        text.AppendLine("  resources: { limits: { cpus: \"0.05\", memory: 64M }, reservations: { cpus: \"0.01\", memory: 16M } }");
        text.AppendLine("services:");
        for (var s = 0; s < services; s++)
        {
            var kind = s % 10;
            text.AppendLine(CultureInfo.InvariantCulture, $"  svc-{s}:");
            text.AppendLine(CultureInfo.InvariantCulture, $"    image: registry.example.org/team/app-{s % 50}:{1 + (s % 7)}.{s % 13}.0");
            text.AppendLine("    user: \"10001\"");
            text.AppendLine("    environment:");
            text.AppendLine(CultureInfo.InvariantCulture, $"      SERVICE_NAME: svc-{s}");
            text.AppendLine(CultureInfo.InvariantCulture, $"      LOG_LEVEL: {(kind == 3 ? "debug" : "info")}");
            text.AppendLine(CultureInfo.InvariantCulture, $"      DB_PASSWORD_FILE: /run/secrets/secret-{s % secrets}");
            if (kind == 7)
            {
                text.AppendLine("      API_TOKEN: ${API_TOKEN:-not-set}");
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"    secrets: [ {{ source: secret-{s % secrets}, mode: 0400 }} ]");
            text.AppendLine(CultureInfo.InvariantCulture, $"    configs: [ {{ source: config-{s % configs}, target: /etc/app/app.yaml }} ]");
            text.AppendLine(CultureInfo.InvariantCulture, $"    networks: [ net-{s % 20} ]");
            text.AppendLine("    healthcheck: { test: [ \"CMD\", \"true\" ], interval: 10s, timeout: 3s, retries: 3 }");
            if (kind == 5)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"    ports: [ \"{20000 + s}:8080\" ]");
            }

            if (kind == 9)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"    volumes: [ \"data-{s}:/var/lib/app\" ]");
                text.AppendLine("    deploy:");
                text.AppendLine("      replicas: 1");
                text.AppendLine(CultureInfo.InvariantCulture, $"      placement: {{ constraints: [ \"node.role != manager\", \"node.labels.shard == {1 + (s % 10)}\" ] }}");
            }
            else
            {
                text.AppendLine("    deploy: *deploy");
            }
        }

        text.AppendLine("networks:");
        for (var n = 0; n < 20; n++)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  net-{n}: {{ driver: overlay, driver_opts: {{ encrypted: \"true\" }} }}");
        }

        text.AppendLine("volumes:");
        for (var s = 9; s < services; s += 10)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  data-{s}: {{}}");
        }

        text.AppendLine("secrets:");
        for (var s = 0; s < secrets; s++)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  secret-{s}: {{ external: true, name: bench_secret_{s}_v1 }}");
        }

        text.AppendLine("configs:");
        for (var c = 0; c < configs; c++)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  config-{c}: {{ external: true, name: bench_config_{c}_v1 }}");
        }

        return text.ToString();
    }
}
