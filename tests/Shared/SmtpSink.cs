using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Ward.Testing;

/// <summary>Debian's aiosmtpd on a free port, keeping what it receives in a Maildir it makes.</summary>
internal sealed class SmtpSink : IDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _mail;

    private SmtpSink(Process process, DirectoryInfo mail, int port)
    {
        _process = process;
        _mail = mail;
        Port = port;
    }

    public int Port { get; }

    public static SmtpSink Start()
    {
        Assert.True(File.Exists("/usr/lib/python3/dist-packages/aiosmtpd/__init__.py"), "aiosmtpd is missing: install python3-aiosmtpd (scripts/setup.sh --tests)");
        var mail = Directory.CreateTempSubdirectory("ward-smtp-");
        var port = FreeTcpPort();
        var process = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", Path.Combine(mail.FullName, "maildir")]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var clock = Stopwatch.StartNew();
        while (!Listening(port))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20) && !process.HasExited, "aiosmtpd did not start listening");
            Thread.Sleep(50);
        }

        return new SmtpSink(process, mail, port);
    }

    /// <summary>The mails received, as they arrived (the Maildir's new/ folder, which aiosmtpd makes with the first).</summary>
    public List<string> Received() =>
        Directory.Exists(Path.Combine(_mail.FullName, "maildir", "new")) ? [.. Directory.GetFiles(Path.Combine(_mail.FullName, "maildir", "new")).Select(File.ReadAllText)] : [];

    private static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
        _mail.Delete(recursive: true);
    }
}
