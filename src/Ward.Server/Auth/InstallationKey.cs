using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Ward.Server.Auth;

/// <summary>
/// The installation's own key: 32 random bytes, base64, in a file outside the data folder (<see cref="ServerOptions.KeyFile"/>,
/// by default next to it: /var/lib/ward/data.key for /var/lib/ward/data), readable by the server's user only. It encrypts
/// the data-protection key ring in the store and keys the fingerprints of secret values, so a copy of the database or of
/// the data folder, without this file, decrypts nothing. Every replica of a PostgreSQL store needs the same file.
/// </summary>
public sealed class InstallationKey(IOptions<ServerOptions> options)
{
    private const int KeyBytes = 32;

    private readonly Lock _gate = new();
    private byte[]? _master;

    public string Path { get; } = options.Value.KeyFile is { Length: > 0 } file ? System.IO.Path.GetFullPath(file) : DefaultPath(options.Value.DataDirectory);

    /// <summary>The key file's place when Ward:KeyFile is not set: beside the data folder, named after it.</summary>
    public static string DefaultPath(string dataDirectory) => System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(dataDirectory)) + ".key";

    /// <summary>The key that encrypts the data-protection key ring.</summary>
    public byte[] KeyRingKey => Derive("ward key ring v1");

    /// <summary>The key of the HMAC that fingerprints secret values (their versions' names).</summary>
    public byte[] FingerprintKey => Derive("ward secret fingerprints v1");

    public bool Exists => File.Exists(Path);

    /// <summary>
    /// Reads the key file, or creates it (mode 0600) when it is missing and <paramref name="mayCreate"/>. Throws
    /// <see cref="KeyFileException"/> saying what is wrong and what to do.
    /// </summary>
    public void Load(bool mayCreate)
    {
        lock (_gate)
        {
            if (!File.Exists(Path))
            {
                if (!mayCreate)
                {
                    throw new KeyFileException($"{Path} does not exist, and the store's key ring was encrypted with a key file; copy that file here (every replica needs the same one), or set Ward:KeyFile to where it is");
                }

                Create();
            }

            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(Path) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            {
                throw new KeyFileException($"{Path} may be read or written by other users (mode {Convert.ToString((int)File.GetUnixFileMode(Path), 8)}); run chmod 600 {Path}");
            }

            try
            {
                _master = Convert.FromBase64String(File.ReadAllText(Path).Trim());
            }
            catch (FormatException)
            {
                _master = null;
            }

            if (_master?.Length != KeyBytes)
            {
                throw new KeyFileException($"{Path} is not a Ward key file (one line: {KeyBytes} bytes in base64)");
            }
        }
    }

    private void Create()
    {
        var folder = System.IO.Path.GetDirectoryName(Path)!;
        var file = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            file.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var stream = new FileStream(Path, file);
            stream.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes)) + "\n"));
        }
        catch (IOException) when (File.Exists(Path))
        {
            // Another replica on this machine made it a moment ago: use theirs.
        }
    }

    private byte[] Derive(string purpose)
    {
        lock (_gate)
        {
            var master = _master ?? throw new InvalidOperationException("the installation key is read at start (WardServer.PrepareAsync), before anything is encrypted");
            return HKDF.DeriveKey(HashAlgorithmName.SHA256, master, KeyBytes, info: Encoding.ASCII.GetBytes(purpose));
        }
    }
}

/// <summary>The key file is missing, unreadable, open to others, or not the key the store was encrypted with.</summary>
public sealed class KeyFileException(string message) : Exception(message);
