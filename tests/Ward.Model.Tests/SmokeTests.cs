using Ward.Model.Compose;

namespace Ward.Model.Tests;

public sealed class GoDurationTests
{
    [Theory]
    [InlineData("1m30s", 90)]
    [InlineData("10s", 10)]
    [InlineData("1.5h", 5400)]
    public void Parses_go_durations(string text, double seconds)
    {
        Assert.True(GoDuration.TryParse(text, out var value));
        Assert.Equal(seconds, value.TotalSeconds);
    }
}
