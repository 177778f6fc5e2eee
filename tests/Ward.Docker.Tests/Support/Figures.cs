namespace Ward.Docker.Tests.Support;

/// <summary>Measured figures (seconds, counts), written to the test's output and collected in one file for the report.</summary>
internal static class Figures
{
    public static string File => Path.Combine(Path.GetTempPath(), "ward-docker-tests", "figures.txt");

    public static void Write(string line)
    {
        TestContext.Current.TestOutputHelper?.WriteLine("[figure] " + line);
        Directory.CreateDirectory(Path.GetDirectoryName(File)!);
        System.IO.File.AppendAllText(File, $"{DateTime.Now:HH:mm:ss} {line}\n");
    }
}
