using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Ward.Docker.Tests.Support;

namespace Ward.Docker.Tests;

/// <summary>
/// Ward talks to a Docker engine over tcp with TLS set up as the Docker CLI's is: DOCKER_HOST=tcp://HOST:PORT,
/// DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH, a folder holding ca.pem, cert.pem and key.pem. The engine is a real
/// dockerd the tests start for themselves (<see cref="TlsEngine"/>), not a fake and not the test cluster. A client
/// certificate of another CA, an engine certificate Ward cannot trust, and no TLS at all each end with one clear
/// line and exit 69.
/// </summary>
public sealed class TlsEngineTests(TlsEngine engine) : IClassFixture<TlsEngine>
{
    [Fact]
    public async Task Over_TLS_ward_finds_the_engine_in_no_swarm_and_once_it_is_initialised_lists_its_one_manager()
    {
        engine.Require();
        var token = TestContext.Current.CancellationToken;
        var tls = engine.Variables(engine.ClientFolder);

        // An engine in no swarm: ward status reads the engine's version and info (over TLS) and only then says so.
        var status = await WardCli.RunAsync(["status", "tls-probe"], tls);
        Assert.True(status.ExitCode == 69, $"ward status over TLS against an engine in no swarm: {status}");
        Assert.Contains("the engine is not part of a swarm", status.Stderr, StringComparison.Ordinal);
        Assert.Contains("docker swarm init", status.Stderr, StringComparison.Ordinal);
        WardCli.AssertNoStackTrace(status);

        // ward node ls gets the engine's own answer to GET /nodes (503, not a manager), through TLS too.
        var notManager = await WardCli.RunAsync(["node", "ls"], tls);
        Assert.True(notManager.ExitCode == 69, $"ward node ls over TLS against an engine in no swarm: {notManager}");
        Assert.Contains($"the Docker engine at {engine.Host}/ is not a swarm manager", notManager.Stderr, StringComparison.Ordinal);
        Assert.Contains("docker swarm init", notManager.Stderr, StringComparison.Ordinal);
        WardCli.AssertNoStackTrace(notManager);

        // docker swarm init, as the raw Engine API over the engine's unix socket (never through Ward). The engine has
        // its own network namespace (see TlsEngine), so its swarm ports, ingress network and docker_gwbridge are its
        // own: 127.0.0.1:2377 there collides with nothing on the host.
        var nodeId = (await engine.Raw.PostAsync("swarm/init", new JsonObject { ["ListenAddr"] = "127.0.0.1:2377", ["AdvertiseAddr"] = "127.0.0.1" }, token))?.GetValue<string>();
        Assert.False(string.IsNullOrEmpty(nodeId), "swarm/init answered no node id");
        await Poll.RequireAsync("the engine's node ready in the swarm it initialised", async () =>
            (await engine.Raw.GetAsync("nodes", token)).AsArray().Any(n => n?["ID"]?.GetValue<string>() == nodeId && n?["Status"]?["State"]?.GetValue<string>() == "ready"), TimeSpan.FromSeconds(60));

        var nodes = await WardCli.RunAsync(["node", "ls"], tls);
        Assert.True(nodes.ExitCode == 0, $"ward node ls over TLS against a swarm manager: {nodes}");
        var lines = nodes.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("NODE ", lines[0], StringComparison.Ordinal);
        var columns = Assert.Single(lines.Skip(1)).Split(' ', StringSplitOptions.RemoveEmptyEntries);

        // NODE (hostname/id), ROLE (* for the leader), STATE, AVAILABILITY, ADDRESS; no labels.
        Assert.EndsWith("/" + nodeId[..8], columns[0], StringComparison.Ordinal);
        Assert.Equal(new[] { "manager*", "ready", "active", "127.0.0.1" }, columns[1..]);
        WardCli.AssertNoStackTrace(nodes);
        Figures.Write($"TLS engine: dockerd up in {engine.StartTime.TotalSeconds:0.0} s; ward node ls over TLS {nodes.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task A_client_certificate_of_another_CA_an_untrusted_engine_certificate_or_no_TLS_exit_69_with_one_clear_line()
    {
        engine.Require();

        // The engine verifies client certificates against its CA: a certificate of another CA is refused.
        var stranger = await WardCli.RunAsync(["node", "ls"], engine.Variables(engine.ForeignClientFolder));
        AssertOneLine(stranger, "a client certificate of another CA");
        Assert.Contains($"the Docker engine at {engine.Host}/ refused the TLS connection", stranger.Stderr, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(engine.ForeignClientFolder, "cert.pem"), stranger.Stderr, StringComparison.Ordinal);

        // Ward verifies the engine's certificate against DOCKER_CERT_PATH/ca.pem: another CA's ca.pem does not vouch for it.
        var untrusted = await WardCli.RunAsync(["node", "ls"], engine.Variables(engine.ForeignCaFolder));
        AssertOneLine(untrusted, "a ca.pem of another CA");
        Assert.Contains($"the certificate of the Docker engine at {engine.Host}/ is not signed by", untrusted.Stderr, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(engine.ForeignCaFolder, "ca.pem"), untrusted.Stderr, StringComparison.Ordinal);

        // The engine's certificate names 127.0.0.1 only: reached as localhost, it is not the certificate of that host.
        var otherName = await WardCli.RunAsync(["node", "ls"], engine.Variables(engine.ClientFolder, $"tcp://localhost:{engine.Port}"));
        AssertOneLine(otherName, "a host name the engine's certificate does not name");
        Assert.Contains("or not issued for localhost, so Ward does not trust it", otherName.Stderr, StringComparison.Ordinal);

        // No ca.pem: Ward does not fall back to the system's CAs.
        var noCa = Path.Combine(engine.Folder, "client-without-ca");
        Directory.CreateDirectory(noCa);
        File.Copy(Path.Combine(engine.ClientFolder, "cert.pem"), Path.Combine(noCa, "cert.pem"), overwrite: true);
        File.Copy(Path.Combine(engine.ClientFolder, "key.pem"), Path.Combine(noCa, "key.pem"), overwrite: true);
        var withoutCa = await WardCli.RunAsync(["node", "ls"], engine.Variables(noCa));
        AssertOneLine(withoutCa, "a DOCKER_CERT_PATH without ca.pem");
        Assert.Contains($"cannot use the TLS certificates in {noCa} (DOCKER_CERT_PATH, with ca.pem, cert.pem and key.pem) for the Docker engine at {engine.Host}/: it has no ca.pem", withoutCa.Stderr, StringComparison.Ordinal);

        // No DOCKER_TLS_VERIFY: plain HTTP to the TLS port.
        var plain = await WardCli.RunAsync(["node", "ls"], engine.Variables(null));
        AssertOneLine(plain, "no TLS variables");
        Assert.Contains($"the Docker engine at {engine.Host}/ requires TLS", plain.Stderr, StringComparison.Ordinal);
        Assert.Contains("DOCKER_TLS_VERIFY=1", plain.Stderr, StringComparison.Ordinal);
        Assert.Contains("DOCKER_CERT_PATH", plain.Stderr, StringComparison.Ordinal);

        // DOCKER_CERT_PATH naming a folder that does not exist.
        var missing = await WardCli.RunAsync(["node", "ls"], engine.Variables(Path.Combine(engine.Folder, "no-such-folder")));
        AssertOneLine(missing, "a DOCKER_CERT_PATH that does not exist");
        Assert.Contains(Path.Combine(engine.Folder, "no-such-folder"), missing.Stderr, StringComparison.Ordinal);
        Assert.Contains("DOCKER_CERT_PATH", missing.Stderr, StringComparison.Ordinal);

        static void AssertOneLine(ProcessResult result, string what)
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"{what}: exit {result.ExitCode}: {result.Stderr.TrimEnd()}");
            Assert.True(result.ExitCode == 69, $"ward node ls over TLS with {what}: {result}");
            Assert.True(result.Stdout.Length == 0 && result.Stderr.TrimEnd('\n').Split('\n') is [var line] && line.StartsWith("ward: ", StringComparison.Ordinal), $"ward node ls with {what} did not print one line: {result}");
            WardCli.AssertNoStackTrace(result);
        }
    }
}

/// <summary>
/// A standalone dockerd serving the Engine API with TLS (--tlsverify) on tcp://127.0.0.1:PORT, and without TLS on a
/// unix socket for the test's own setup, with certificates made here: a CA, the engine's certificate (IP 127.0.0.1),
/// a client certificate in a DOCKER_CERT_PATH folder, and folders with a client certificate of another CA and with
/// another CA's ca.pem. Everything lives in one scratch folder, deleted at the end with the engine and its containerd.
/// <para>
/// The engine is isolated from the host: its own data root, exec root, pid file, config file and managed containerd,
/// and its own network and mount namespaces (unshare), so that a swarm on it (ports 2377/7946, the ingress network,
/// docker_gwbridge) and its mounts vanish with it and never touch the host's. Its TLS port is a socket perl opens in
/// the host's network namespace, on a free port, and hands to dockerd as systemd does (-H fd://, LISTEN_FDS): a
/// socket keeps the namespace it was made in.
/// </para>
/// A machine that cannot run it (not root, no dockerd) fails the tests with the reason; nothing is skipped.
/// </summary>
public sealed class TlsEngine : IAsyncLifetime
{
    private const string Dockerd = "/usr/sbin/dockerd";

    /// <summary>Binds a listening socket to a free port of 127.0.0.1 as fd 3, prints the port, and execs the rest of the command line with it.</summary>
    private const string ListenThenExec = """
        $| = 1;
        $^F = 3;
        socket(my $listener, PF_INET, SOCK_STREAM, 0) or die "socket: $!\n";
        fileno($listener) == 3 or die "the listening socket is fd " . fileno($listener) . ", not 3\n";
        setsockopt($listener, SOL_SOCKET, SO_REUSEADDR, 1) or die "setsockopt: $!\n";
        bind($listener, pack_sockaddr_in(0, inet_aton("127.0.0.1"))) or die "bind: $!\n";
        listen($listener, SOMAXCONN) or die "listen: $!\n";
        my ($port) = unpack_sockaddr_in(getsockname($listener));
        print "tls-port $port\n";
        $ENV{LISTEN_FDS} = "1";
        $ENV{LISTEN_PID} = $$;
        exec { $ARGV[0] } @ARGV or die "exec $ARGV[0]: $!\n";
        """;

    private RunningProcess? _daemon;
    private RawEngine? _raw;

    /// <summary>Why the engine could not be started, when it could not.</summary>
    public string? Problem { get; private set; }

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "ward-docker-tests", "tls-engine");

    /// <summary>DOCKER_CERT_PATH for Ward: the CA, a client certificate it signed, and its key.</summary>
    public string ClientFolder => Path.Combine(Folder, "client");

    /// <summary>The CA's ca.pem, with a client certificate (and key) signed by another CA.</summary>
    public string ForeignClientFolder => Path.Combine(Folder, "foreign-client");

    /// <summary>Another CA's ca.pem, with the genuine client certificate and key.</summary>
    public string ForeignCaFolder => Path.Combine(Folder, "foreign-ca");

    public int Port { get; private set; }

    public string Host => $"tcp://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public TimeSpan StartTime { get; private set; }

    internal RawEngine Raw => _raw ?? throw new InvalidOperationException("the engine is not running");

    private string Socket => Path.Combine(Folder, "docker.sock");

    /// <summary>Fails the calling test, with the reason, when the engine could not be started.</summary>
    public void Require()
    {
        if (Problem is not null)
        {
            Assert.Fail(Problem);
        }
    }

    /// <summary>Ward's environment for the engine: DOCKER_HOST, and with a certificate folder DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH.</summary>
    internal Dictionary<string, string?> Variables(string? certificates, string? host = null) => new(StringComparer.Ordinal)
    {
        ["DOCKER_HOST"] = host ?? Host,
        ["DOCKER_TLS_VERIFY"] = certificates is null ? null : "1",
        ["DOCKER_CERT_PATH"] = certificates,
        ["WARD_CLUSTER_DIR"] = Path.Combine(Folder, "no-cluster"),
    };

    public async ValueTask InitializeAsync()
    {
        Problem = MachineProblem();
        if (Problem is not null)
        {
            return;
        }

        try
        {
            await StopAsync(); // what a killed earlier run may have left
            Scratch.Folder("tls-engine");
            WriteCertificates();
            await StartAsync();
        }
#pragma warning disable CA1031 // Any failure to set up becomes the reason every test fails with; the engine must still go.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Problem = $"The TLS engine could not be started: {e}\n{_daemon?.Output}";
            await StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (MachineProblem() is not null)
        {
            return;
        }

        await StopAsync();
        var left = Leftovers();
        if (left.Count > 0 || Directory.Exists(Folder))
        {
            throw new InvalidOperationException($"the TLS engine left residue: {string.Join(", ", left)}{(Directory.Exists(Folder) ? $" and {Folder}" : "")}");
        }
    }

    /// <summary>Why this machine cannot run the engine at all, or null.</summary>
    private static string? MachineProblem()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return "The TLS engine tests need root: they start their own dockerd in its own network and mount namespaces. Run them as root.";
        }

        foreach (var (program, package) in new[] { (Dockerd, "docker.io"), ("/usr/bin/containerd", "containerd"), ("/usr/bin/perl", "perl-base"), ("/usr/bin/unshare", "util-linux") })
        {
            if (!File.Exists(program))
            {
                return $"{program} is missing: the TLS engine tests need it (install {package}, e.g. with scripts/setup.sh).";
            }
        }

        return new[] { "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip" }.Any(File.Exists)
            ? null
            : "ip is missing: the TLS engine tests need it to bring up the engine's loopback (install iproute2).";
    }

    private void WriteCertificates()
    {
        using var authority = Authority("Ward test CA");
        using var foreignAuthority = Authority("Ward test foreign CA");
        using var server = Issue(authority, "127.0.0.1", "1.3.6.1.5.5.7.3.1", san =>
        {
            san.AddIpAddress(IPAddress.Loopback);
        });
        using var client = Issue(authority, "ward-test-client", "1.3.6.1.5.5.7.3.2");
        using var foreignClient = Issue(foreignAuthority, "ward-test-client", "1.3.6.1.5.5.7.3.2");

        Write(Folder, ("ca.pem", authority.Certificate.ExportCertificatePem()), ("server-cert.pem", server.Certificate.ExportCertificatePem()), ("server-key.pem", server.Key.ExportPkcs8PrivateKeyPem()));
        Write(ClientFolder, ("ca.pem", authority.Certificate.ExportCertificatePem()), ("cert.pem", client.Certificate.ExportCertificatePem()), ("key.pem", client.Key.ExportPkcs8PrivateKeyPem()));
        Write(ForeignClientFolder, ("ca.pem", authority.Certificate.ExportCertificatePem()), ("cert.pem", foreignClient.Certificate.ExportCertificatePem()), ("key.pem", foreignClient.Key.ExportPkcs8PrivateKeyPem()));
        Write(ForeignCaFolder, ("ca.pem", foreignAuthority.Certificate.ExportCertificatePem()), ("cert.pem", client.Certificate.ExportCertificatePem()), ("key.pem", client.Key.ExportPkcs8PrivateKeyPem()));

        static void Write(string folder, params (string Name, string Pem)[] files)
        {
            Directory.CreateDirectory(folder);
            foreach (var (name, pem) in files)
            {
                File.WriteAllText(Path.Combine(folder, name), pem + "\n");
            }
        }
    }

    private static Issued Authority(string name)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return new Issued(request.CreateSelfSigned(now.AddHours(-1), now.AddDays(1)), key);
    }

    /// <summary>A leaf certificate signed by <paramref name="authority"/> for one extended key usage (serverAuth or clientAuth).</summary>
    private static Issued Issue(Issued authority, string commonName, string usage, Action<SubjectAlternativeNameBuilder>? names = null)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid(usage) }, false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority.Certificate, true, false));
        if (names is not null)
        {
            var san = new SubjectAlternativeNameBuilder();
            names(san);
            request.CertificateExtensions.Add(san.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        var now = DateTimeOffset.UtcNow;
        return new Issued(request.Create(authority.Certificate, now.AddHours(-1), now.AddHours(12), serial), key);
    }

    private async Task StartAsync()
    {
        var clock = Stopwatch.StartNew();
        var config = Path.Combine(Folder, "daemon.json");
        // Its own config file, so that /etc/docker/daemon.json does not apply, and its own identity key instead of /etc/docker/key.json.
        await File.WriteAllTextAsync(config, new JsonObject { ["deprecated-key-path"] = Path.Combine(Folder, "key.json") }.ToJsonString() + "\n");
        string[] dockerd =
        [
            Dockerd,
            "--config-file", config,
            "--tlsverify",
            "--tlscacert", Path.Combine(Folder, "ca.pem"),
            "--tlscert", Path.Combine(Folder, "server-cert.pem"),
            "--tlskey", Path.Combine(Folder, "server-key.pem"),
            "-H", "fd://",
            "-H", "unix://" + Socket,
            "--data-root", Path.Combine(Folder, "data"),
            "--exec-root", Path.Combine(Folder, "exec"),
            "--pidfile", Path.Combine(Folder, "docker.pid"),
            "--storage-driver", "vfs",
            "--bridge", "none",
            "--iptables=false",
        ];

        // perl (the TLS socket, in the host's namespace) execs unshare, which execs sh, which execs dockerd: one pid,
        // the LISTEN_PID perl set. In the new network namespace only loopback exists, and it starts down.
        _daemon = Processes.Start(
            "/usr/bin/perl",
            ["-MSocket", "-e", ListenThenExec, "--", "/usr/bin/unshare", "--net", "--mount", "--", "/bin/sh", "-c", "ip link set lo up && exec \"$@\"", "sh", .. dockerd],
            new Dictionary<string, string?> { ["DOCKER_HOST"] = null, ["NOTIFY_SOCKET"] = null, ["LISTEN_FDS"] = null, ["LISTEN_PID"] = null });

        if (!await _daemon.WaitForOutputAsync(l => l.StartsWith("tls-port ", StringComparison.Ordinal), TimeSpan.FromSeconds(10), CancellationToken.None))
        {
            throw new InvalidOperationException($"perl did not open the TLS port:\n{_daemon.Output}");
        }

        Port = int.Parse(_daemon.Output.Split('\n').First(l => l.StartsWith("tls-port ", StringComparison.Ordinal))["tls-port ".Length..].Trim(), CultureInfo.InvariantCulture);
        _raw = new RawEngine(Socket);
        var clockUp = await Poll.UntilAsync(async () =>
        {
            if (_daemon.HasExited)
            {
                throw new InvalidOperationException($"dockerd exited:\n{_daemon.Output}");
            }

            try
            {
                await _raw.GetAsync("info", CancellationToken.None);
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60));
        if (clockUp is null)
        {
            throw new TimeoutException($"dockerd did not answer on {Socket} within 60 s:\n{_daemon.Output}");
        }

        StartTime = clock.Elapsed;
    }

    /// <summary>Stops dockerd as Ctrl-C does (it stops its containerd), kills whatever still names the folder, and deletes the folder.</summary>
    private async Task StopAsync()
    {
        _raw?.Dispose();
        _raw = null;
        if (_daemon is not null)
        {
            if (!_daemon.HasExited)
            {
                _daemon.Interrupt();
                try
                {
                    await _daemon.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
                }
                catch (TimeoutException)
                {
                    // WaitAsync killed dockerd and its children.
                }
            }

            _daemon.Dispose();
            _daemon = null;
        }

        foreach (var (pid, _) in Leftovers())
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
                // Gone meanwhile, or not killable: the residue check reports what stays.
            }
        }

        for (var attempt = 1; Directory.Exists(Folder); attempt++)
        {
            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (IOException) when (attempt < 10)
            {
                await Task.Delay(500);
            }
        }
    }

    /// <summary>Processes whose command line names the scratch folder: only this fixture's dockerd and its containerd do.</summary>
    private List<(int Pid, string CommandLine)> Leftovers()
    {
        var found = new List<(int, string)>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var commandLine = File.ReadAllText(Path.Combine(entry, "cmdline")).Replace('\0', ' ').Trim();
                if (commandLine.Contains(Folder + "/", StringComparison.Ordinal))
                {
                    found.Add((pid, commandLine));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended meanwhile.
            }
        }

        return found;
    }

    private sealed record Issued(X509Certificate2 Certificate, ECDsa Key) : IDisposable
    {
        public void Dispose()
        {
            Certificate.Dispose();
            Key.Dispose();
        }
    }
}
