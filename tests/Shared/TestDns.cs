using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Ward.Testing;

/// <summary>
/// A real DNS server for one test: Debian's dnsmasq on a free loopback port, answering the given names with the given
/// addresses and nothing else (no upstream, no hosts file), stopped when disposed.
/// </summary>
internal sealed class TestDns : IDisposable
{
    private readonly Process _process;

    private TestDns(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The resolver as Ward takes it: ADDRESS:PORT.</summary>
    public string Resolver => $"127.0.0.1:{Port}";

    public static async Task<TestDns> StartAsync(IReadOnlyDictionary<string, string> answers)
    {
        var port = FreeUdpPort();
        var start = new ProcessStartInfo("dnsmasq") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "--keep-in-foreground", "--no-resolv", "--no-hosts", "--no-poll", "--bind-interfaces", "--listen-address=127.0.0.1", $"--port={port}", "--pid-file=", "--user=root", "--log-facility=-" })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, address) in answers)
        {
            start.ArgumentList.Add($"--address=/{name}/{address}");
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dnsmasq did not start (scripts/setup.sh --tests installs dnsmasq-base)");
        var dns = new TestDns(process, port);
        await dns.WaitUntilAnsweringAsync(answers.Keys.First());
        return dns;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }

    private async Task WaitUntilAnsweringAsync(string name)
    {
        var resolver = Ward.Deploying.Live.DnsResolver.Create(Resolver);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (_process.HasExited)
            {
                Assert.Fail($"dnsmasq exited: {await _process.StandardError.ReadToEndAsync()}");
            }

            if (await resolver.ResolveAAsync(name, TestContext.Current.CancellationToken) is { Count: > 0 })
            {
                return;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"dnsmasq on {Resolver} did not answer for {name} within 5 s");
    }

    private static int FreeUdpPort()
    {
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.Client.LocalEndPoint!).Port;
    }
}
