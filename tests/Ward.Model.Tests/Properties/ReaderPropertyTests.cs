using System.Text;
using CsCheck;
using static Ward.Model.Tests.Support.Reader;

namespace Ward.Model.Tests.Properties;

/// <summary>
/// Whatever a file contains, the reader returns a value: a spec, or at least one located error, never both and never
/// an exception. Files are valid seeds mutated the way real edits and corruption go wrong.
/// </summary>
public sealed class ReaderPropertyTests
{
    private static readonly string[] Seeds =
    [
        """
        version: "3.8"
        x-ward:
          environment: { name: shop-prod, kind: production }
          nodes:
            - { name: manager-1, role: manager, size: medium }
            - { name: worker-1, role: worker, size: x-large, labels: { db: "true" } }
          databases:
            - { name: orders, engine: postgres, version: "16", tier: general-purpose-2, service: db }
          domains:
            - { name: shop.example.org, service: web, port: 80, mapped_at: 2026-11-20T09:00:00Z }
          waivers:
            - { rule: REL-001, target: services.db, reason: single primary, expires: 2027-01-31 }
        services:
          web:
            image: "nginx:${NGINX_TAG:-1.27}"
            ports: ["80:80", "443:443"]
            deploy:
              replicas: 2
              placement: { constraints: [node.role == worker] }
              resources: { limits: { cpus: "0.5", memory: 256M } }
          db:
            image: postgres:16
            environment: { POSTGRES_DB: orders, POSTGRES_PASSWORD_FILE: /run/secrets/db }
            secrets: [db]
            volumes: [pgdata:/var/lib/postgresql/data]
            healthcheck: { test: pg_isready, interval: 10s, retries: 5 }
        volumes:
          pgdata:
        secrets:
          db: { file: ./db.txt }
        """,
        """
        version: "3.7"
        x-defaults: &defaults
          restart: unless-stopped
          logging: { driver: json-file, options: { max-size: 10m } }
          deploy: &deploy
            update_config: { parallelism: 1, delay: 10s, order: start-first }
            restart_policy: { condition: on-failure, max_attempts: 3 }
        services:
          api:
            <<: *defaults
            image: registry.example.org/api:$TAG
            command: ["./api", "--port", "8080"]
            environment:
              - LOG_LEVEL=${LOG_LEVEL:-info}
              - DB_URL
            deploy:
              <<: *deploy
              replicas: ${API_REPLICAS:-3}
          worker:
            <<: *defaults
            image: registry.example.org/worker:$TAG
            entrypoint: sh -c 'exec worker --queue "jobs high"'
        networks:
          default: { driver: overlay, attachable: true }
        """,
        """
        version: "3.13"
        services:
          proxy:
            image: traefik:v3.1
            ports:
              - { target: 80, published: 80, mode: host }
              - { target: 443, published: 443, protocol: tcp, mode: host }
            volumes:
              - type: bind
                source: /var/run/docker.sock
                target: /var/run/docker.sock
                read_only: true
              - { type: tmpfs, target: /tmp, tmpfs: { size: 1048576 } }
            configs:
              - { source: traefik, target: /etc/traefik/traefik.yml, mode: 0440 }
            ulimits: { nofile: { soft: 20000, hard: 40000 } }
            deploy: { mode: global, placement: { constraints: ["node.role==manager"] } }
            oom_score_adj: -500
        configs:
          traefik: { file: ./traefik.yml }
        networks:
          edge: { external: true, name: edge-net }
        """,
    ];

    private static readonly string[] Replacements =
    [
        "${", "${A", "$", "$$", "&a", "*a", "*nope", "!!int x", ".inf", ".nan", "2001-12-14", "~", "[", "]", "{", "}", "'", "\"",
        "yes", "true", "0x10", "-1", "99999999999999999999", "1e400", "3.0", "\t", "<<: *a", "? [a]", "|", ">-", "%YAML 1.2", "---", "...",
        "# c", "a: b: c", "- x", "\"\\u0000\"", "@", "`", "!", "&", "*", "512Mi", "1d", "80/foo", "a:b:c:d:e",
    ];

    private static readonly Gen<Mutation> MutationGen = Gen.Select(
        Gen.Int[0, 7], Gen.Int[0, 100_000], Gen.Int[0, 100_000],
        Gen.OneOf<string>(Gen.OneOf(Replacements), Gen.String[0, 12]),
        Gen.Byte.Array[1, 6],
        (kind, a, b, text, bytes) => new Mutation(kind, a, b, text, bytes));

    private static readonly Gen<(int Seed, Mutation[] Mutations)> CaseGen = Gen.Select(Gen.Int[0, Seeds.Length - 1], MutationGen.Array[1, 6]);

    [Fact]
    public void Mutated_files_read_or_fail_with_located_errors_and_never_throw()
    {
        CaseGen.Sample(
            c =>
            {
                var bytes = Apply(Seeds[c.Seed], c.Mutations);
                var result = ReadBytes(bytes, Vars("TAG=1.0", "DB_URL=postgres://db"));
                var blocking = result.Diagnostics.Where(d => d.BlocksReading).ToList();
                if (result.Spec is null)
                {
                    Assert.NotEmpty(blocking);
                }
                else
                {
                    Assert.Empty(blocking);
                }

                Assert.All(blocking, d => Assert.True(d.Location is { File: FileName }, $"{d} has no location"));
            },
            iter: 600,
            threads: 1,
            print: c => $"seed {c.Seed}: {string.Join("; ", c.Mutations.Select(m => m.ToString()))}\n---\n{Encoding.UTF8.GetString(Apply(Seeds[c.Seed], c.Mutations))}");
    }

    [Fact]
    public void Random_text_and_bytes_never_throw()
    {
        Gen.OneOf(Gen.String[0, 400].Select(Encoding.UTF8.GetBytes), Gen.Byte.Array[0, 400]).Sample(
            bytes =>
            {
                var result = ReadBytes(bytes);
                Assert.True(result.Spec is not null ^ result.Diagnostics.Any(d => d.BlocksReading));
            },
            iter: 400,
            threads: 1);
    }

    [Fact]
    public void Every_seed_reads()
    {
        foreach (var seed in Seeds)
        {
            var result = Read(seed, Vars("TAG=1.0", "DB_URL=postgres://db"));
            Assert.True(result.Spec is not null, Describe(result));
        }
    }

    /// <summary>Applies line edits to the text, then byte edits (insertions, truncation) to its UTF-8 form.</summary>
    private static byte[] Apply(string seed, Mutation[] mutations)
    {
        var lines = seed.Split('\n').ToList();
        var byteEdits = new List<Mutation>();
        foreach (var m in mutations)
        {
            var i = m.A % lines.Count;
            var j = m.B % lines.Count;
            switch (m.Kind)
            {
                case 0 when lines.Count > 1:
                    lines.RemoveAt(i);
                    break;
                case 1:
                    lines.Insert(i, lines[i]);
                    break;
                case 2:
                    (lines[i], lines[j]) = (lines[j], lines[i]);
                    break;
                case 3:
                    var body = lines[i].TrimStart(' ');
                    lines[i] = (m.B % 3) switch
                    {
                        0 => new string(' ', m.B % 9) + body,
                        1 => "\t" + body,
                        _ => body,
                    };
                    break;
                case 4:
                    var colon = lines[i].IndexOf(": ", StringComparison.Ordinal);
                    lines[i] = colon >= 0 ? lines[i][..(colon + 2)] + m.Text : lines[i] + m.Text;
                    break;
                case 5:
                    lines.Insert(i, new string(' ', m.B % 7) + m.Text);
                    break;
                default:
                    byteEdits.Add(m);
                    break;
            }
        }

        var bytes = Encoding.UTF8.GetBytes(string.Join('\n', lines)).ToList();
        foreach (var m in byteEdits)
        {
            if (m.Kind == 6)
            {
                bytes.InsertRange(m.A % (bytes.Count + 1), m.Bytes);
            }
            else
            {
                bytes.RemoveRange(m.A % (bytes.Count + 1), bytes.Count - (m.A % (bytes.Count + 1)));
            }
        }

        return [.. bytes];
    }

    public sealed record Mutation(int Kind, int A, int B, string Text, byte[] Bytes)
    {
        public override string ToString() => Kind switch
        {
            0 => $"delete line {A}",
            1 => $"duplicate line {A}",
            2 => $"swap lines {A} and {B}",
            3 => $"reindent line {A} ({B % 3})",
            4 => $"replace the value on line {A} with '{Text}'",
            5 => $"insert line '{Text}' at {A}",
            6 => $"insert bytes {Convert.ToHexString(Bytes)} at {A}",
            _ => $"truncate at {A}",
        };
    }
}
