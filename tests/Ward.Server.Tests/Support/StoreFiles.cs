using System.Text;

namespace Ward.Server.Tests.Support;

/// <summary>The store's files as raw text, read while the server still has them open (to search them for values).</summary>
internal static class StoreFiles
{
    public static async Task<string> ReadAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, TestContext.Current.CancellationToken);
        return Encoding.Latin1.GetString(buffer.ToArray());
    }
}
