using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ward.Bench.LoadBalancer;

/// <summary>
/// The reference: a plain nginx reverse proxy on the manager, set up as CapRover sets up its own (nginx on the
/// manager, on the application's overlay network, TLS terminated there, each request proxied to the service's name
/// through Docker's DNS with the usual forwarding headers and HTTP/1.1 to the upstream). It is Debian's nginx from the
/// clinic's web image (clinic/web:1.0, nginx-light) with this configuration instead of the clinic's, deployed with the
/// Docker CLI as a stack of its own, publishing <see cref="Port"/> in host mode (Ward's load balancer has 80 and 443).
/// </summary>
internal static class ReferenceProxy
{
    public const int Port = 8443;

    private const string Stack = "lbref";

    private static readonly string NginxConf = $$"""
        worker_processes 2;
        pid /tmp/nginx.pid;
        error_log stderr warn;
        events { worker_connections 1024; }
        http {
            access_log off;
            server_tokens off;
            client_body_temp_path /tmp/nginx-body;
            proxy_temp_path /tmp/nginx-proxy;
            fastcgi_temp_path /tmp/nginx-fastcgi;
            uwsgi_temp_path /tmp/nginx-uwsgi;
            scgi_temp_path /tmp/nginx-scgi;
            resolver 127.0.0.11 valid=10s ipv6=off;
            map $http_upgrade $connection_upgrade { default upgrade; '' close; }
            server {
                listen {{Port}} ssl http2;
                server_name {{BenchEnvironment.Domain}};
                ssl_certificate /run/ref/cert.pem;
                ssl_certificate_key /run/ref/key.pem;
                ssl_protocols TLSv1.2 TLSv1.3;
                location / {
                    set $upstream http://tasks.{{BenchEnvironment.Name}}_web:{{BenchEnvironment.WebPort}};
                    proxy_pass $upstream;
                    proxy_http_version 1.1;
                    proxy_set_header Host $host;
                    proxy_set_header X-Real-IP $remote_addr;
                    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                    proxy_set_header X-Forwarded-Proto $scheme;
                    proxy_set_header Upgrade $http_upgrade;
                    proxy_set_header Connection $connection_upgrade;
                }
            }
        }
        """;

    public static async Task DeployAsync(string managerSocket, string network, string folder, CancellationToken cancellationToken)
    {
        WriteCertificate(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "nginx.conf"), NginxConf, cancellationToken);
        var stackFile = Path.Combine(folder, "reference.yaml");
        var run = Path.GetFileName(folder).Replace('.', '-');
        await File.WriteAllTextAsync(stackFile, $$"""
            version: "3.9"
            services:
              nginx:
                image: clinic/web:1.0
                command: [ "nginx", "-e", "stderr", "-g", "daemon off;" ]
                read_only: true
                volumes:
                  - { type: tmpfs, target: /tmp }
                configs:
                  - { source: conf, target: /etc/nginx/nginx.conf, uid: "10001", mode: 0444 }
                  - { source: cert, target: /run/ref/cert.pem, uid: "10001", mode: 0444 }
                  - { source: key, target: /run/ref/key.pem, uid: "10001", mode: 0400 }
                ports:
                  - { target: {{Port}}, published: {{Port}}, mode: host }
                networks: [ app ]
                deploy:
                  replicas: 1
                  placement: { constraints: [ "node.role == manager" ] }
            # Named per run: a config cannot change, and a kept cluster (--keep-cluster) has the last run's.
            configs:
              conf: { file: ./nginx.conf, name: "lbref-conf-{{run}}" }
              cert: { file: ./cert.pem, name: "lbref-cert-{{run}}" }
              key: { file: ./key.pem, name: "lbref-key-{{run}}" }
            networks:
              app: { external: true, name: {{network}} }
            """, cancellationToken);
        var (code, output) = await BenchCommands.RunAsync(BenchCommands.Docker, ["-H", "unix://" + managerSocket, "stack", "deploy", "--detach=false", "--resolve-image", "never", "-c", stackFile, Stack], cancellationToken);
        if (code != 0)
        {
            throw new InvalidOperationException($"docker stack deploy of the reference nginx failed (exit {code}): {output}");
        }
    }

    /// <summary>A self-signed certificate for the benchmark's domain (wrk verifies none; the handshake's cost is what counts).</summary>
    private static void WriteCertificate(string folder)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={BenchEnvironment.Domain}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(BenchEnvironment.Domain);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(folder, "cert.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(folder, "key.pem"), key.ExportPkcs8PrivateKeyPem());
    }
}
