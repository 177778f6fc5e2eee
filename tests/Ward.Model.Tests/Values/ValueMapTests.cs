using Ward.Model.Spec;

namespace Ward.Model.Tests.Values;

/// <summary>A small map scans its pairs and a large one (or one with a repeated key) keeps a dictionary: both must agree.</summary>
public sealed class ValueMapTests
{
    private static ValueMap<string> Map(params (string Key, string Value)[] pairs) =>
        new(pairs.Select(p => new KeyValuePair<string, string>(p.Key, p.Value)));

    private static (string, string)[] Numbered(int count) => [.. Enumerable.Range(0, count).Select(i => ($"k{i}", $"v{i}"))];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(40)]
    public void Finds_every_key_and_only_those(int count)
    {
        var map = Map(Numbered(count));

        Assert.Equal(count, map.Count);
        for (var i = 0; i < count; i++)
        {
            Assert.True(map.TryGetValue($"k{i}", out var value));
            Assert.Equal($"v{i}", value);
            Assert.Equal($"v{i}", map[$"k{i}"]);
        }

        Assert.False(map.ContainsKey("K0"));
        Assert.False(map.TryGetValue("missing", out _));
        Assert.Throws<KeyNotFoundException>(() => map["missing"]);
    }

    [Fact]
    public void A_repeated_key_counts_once_and_its_last_value_wins_in_a_small_map()
    {
        var map = Map(("a", "1"), ("b", "2"), ("a", "3"));

        Assert.Equal(2, map.Count);
        Assert.Equal("3", map["a"]);
        Assert.Equal(3, map.Count());
        Assert.Equal(Map(("b", "2"), ("a", "3")), map);
    }

    [Fact]
    public void Maps_with_the_same_pairs_are_equal_whatever_their_order_and_size()
    {
        var pairs = Numbered(12);
        var large = Map(pairs);
        var reversed = Map([.. pairs.Reverse()]);
        var small = Map(pairs[..3]);

        Assert.Equal(large, reversed);
        Assert.Equal(large.GetHashCode(), reversed.GetHashCode());
        Assert.Equal(small, Map([.. pairs[..3].Reverse()]));
        Assert.NotEqual(small, large);
        Assert.NotEqual(Map(("a", "1")), Map(("a", "2")));
        Assert.NotEqual(Map(("a", "1")), Map(("b", "1")));
    }

    [Fact]
    public void Enumerates_the_pairs_in_the_file_order()
    {
        var map = Map(("z", "1"), ("a", "2"), ("m", "3"));

        Assert.Equal(["z", "a", "m"], map.Select(p => p.Key));
        Assert.Equal(["z", "a", "m"], map.Keys);
    }
}
