using System.Text;
using Ward.Model.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using BlockEntry = YamlDotNet.Core.Tokens.BlockEntry;
using FlowMappingEnd = YamlDotNet.Core.Tokens.FlowMappingEnd;
using FlowMappingStart = YamlDotNet.Core.Tokens.FlowMappingStart;
using FlowSequenceEnd = YamlDotNet.Core.Tokens.FlowSequenceEnd;
using FlowSequenceStart = YamlDotNet.Core.Tokens.FlowSequenceStart;
using Key = YamlDotNet.Core.Tokens.Key;
using Token = YamlDotNet.Core.Tokens.Token;

namespace Ward.Model.Yaml;

/// <summary>
/// Builds a <see cref="YNode"/> tree from the first YAML document of a text with YamlDotNet's event parser, with
/// the guards of the Docker CLI's YAML library: duplicate keys are errors (all of them reported), control
/// characters and invalid UTF-8 are refused, nesting is bounded, and a document that expands mostly through
/// aliases ("billion laughs") is refused by the same ratio rule, without ever expanding it.
/// </summary>
internal sealed class YamlTreeBuilder
{
    /// <summary>The CLI refuses deeper documents; the reader runs on a large stack to reach this safely.</summary>
    public const int MaxDepth = 9_999;

    private readonly string _file;
    private readonly DiagnosticBag _diagnostics;
    private readonly NodeAssembler _assembler;

    private readonly bool _tryFastPath;

    // Set when the first document ends where the CLI's parser ends it but YamlDotNet wants a '---' first.
    private bool _endedBeforeMarker;

    private YamlTreeBuilder(string file, DiagnosticBag diagnostics, bool tryFastPath)
    {
        _file = file;
        _tryFastPath = tryFastPath;
        _diagnostics = diagnostics;
        _assembler = new NodeAssembler(file, diagnostics);
    }

    /// <summary>
    /// Decodes the file's bytes: UTF-8 (with or without BOM) or UTF-16 with a BOM. Invalid bytes and control
    /// characters are diagnostics, never replacement characters.
    /// </summary>
    public static string? Decode(ReadOnlySpan<byte> bytes, string file, DiagnosticBag diagnostics)
    {
        string text;
        try
        {
            // Byte arrays, not "\xEF..."u8 literals: in a C# string "\xEF" is the character U+00EF, which UTF-8 encodes as two bytes.
            if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
            {
                var bigEndian = bytes[0] == 0xFE;
                text = new UnicodeEncoding(bigEndian, false, true).GetString(bytes[2..]);
            }
            else
            {
                text = new UTF8Encoding(false, true).GetString(bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? bytes[3..] : bytes);
            }
        }
        catch (DecoderFallbackException e)
        {
            var offset = Math.Clamp(e.Index, 0, bytes.Length);
            diagnostics.Error(DiagnosticCodes.Yaml, "", $"the file is not UTF-8 text: invalid byte sequence at offset {offset}", At(file, bytes, offset));
            return null;
        }

        for (var i = 0; i < text.Length; i++)
        {
            if (IsForbiddenCharacter(text[i]))
            {
                var (line, column) = LineAndColumn(text, i);
                diagnostics.Error(DiagnosticCodes.Yaml, "", $"the file contains the control character U+{(int)text[i]:X4}, which YAML does not allow (is it a binary file?)", new SourceLocation(file, line, column));
                return null;
            }
        }

        return text;
    }

    /// <summary>Parses the first YAML document of <paramref name="text"/>; null when the file is empty or broken.</summary>
    public static YNode? Build(string text, string file, DiagnosticBag diagnostics) =>
        new YamlTreeBuilder(file, diagnostics, tryFastPath: true).Run(text);

    /// <summary>Parses with the general (YamlDotNet) path alone: the reference the fast reader is tested against.</summary>
    internal static YNode? BuildWithGeneralPath(string text, string file, DiagnosticBag diagnostics) =>
        new YamlTreeBuilder(file, diagnostics, tryFastPath: false).Run(text);

    /// <summary>The fast reader's tree, or null when it declines the text (saying where) or the tree has diagnostics.</summary>
    internal static YNode? BuildWithFastPath(string text, string file, out string? declinedAt) =>
        new YamlTreeBuilder(file, new DiagnosticBag(), tryFastPath: true).ReadFast(text, out declinedAt);

    /// <summary>The share of a document's nodes that may come from aliases (the Go YAML library's rule).</summary>
    public static double AllowedAliasRatio(long decoded) => decoded switch
    {
        <= 400_000 => 0.99,
        >= 4_000_000 => 0.10,
        _ => 0.99 - (0.89 * (decoded - 400_000) / 3_600_000.0),
    };

    private static bool IsForbiddenCharacter(char c) =>
        c is (< '\x20' and not ('\t' or '\n' or '\r')) or '\x7F' or (>= '\x80' and <= '\x9F' and not '\x85') or '\uFFFE' or '\uFFFF';

    private static SourceLocation At(string file, ReadOnlySpan<byte> bytes, int offset)
    {
        var before = bytes[..offset];
        return new SourceLocation(file, before.Count((byte)'\n') + 1, offset - before.LastIndexOf((byte)'\n'));
    }

    private static (int Line, int Column) LineAndColumn(string text, int offset)
    {
        var before = text.AsSpan(0, offset);
        return (before.Count('\n') + 1, offset - before.LastIndexOf('\n'));
    }

    private SourceLocation At(Mark mark) => new(_file, (int)mark.Line, (int)mark.Column);

    private YNode? Run(string text)
    {
        if (_tryFastPath && ReadFast(text) is { } fast)
        {
            return CheckAliasing(fast) ? fast : null;
        }

        var scanner = new LibyamlTabRules(new Scanner(new StringReader(text), skipComments: true), text);
        try
        {
            var parser = new Parser(scanner);
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                return null;
            }

            var start = parser.Consume<DocumentStart>();
            if (start.Version is { } directive && (directive.Version.Major, directive.Version.Minor) != (1, 1))
            {
                // The CLI's YAML library reads only YAML 1.1 documents when a %YAML directive names a version.
                throw new YamlException(start.Start, start.End, $"the directive %YAML {directive.Version.Major}.{directive.Version.Minor} names a YAML version that docker stack deploy does not read; remove it or write %YAML 1.1");
            }

            if (parser.Accept<DocumentEnd>(out _))
            {
                return null;
            }

            var (root, _) = ReadNode(parser, depth: 0);
            if (!_endedBeforeMarker)
            {
                ScanPastDocument(parser, text);
            }

            return CheckAliasing(root) ? root : null;
        }
        catch (YamlException e)
        {
            _diagnostics.Error(DiagnosticCodes.Yaml, "", $"not valid YAML: {CleanMessage(e)}", At(e.Start));
            return null;
        }
        catch (TooDeepException e)
        {
            _diagnostics.Error(DiagnosticCodes.Yaml, "", $"the YAML is nested deeper than {MaxDepth} levels", e.Location);
            return null;
        }
        catch (ArgumentOutOfRangeException)
        {
            // YamlDotNet turns a \U escape beyond Unicode (\UFFFFFFFF) into a character without checking it first; libyaml
            // (the CLI's scanner) refuses the escape, with this message.
            _diagnostics.Error(DiagnosticCodes.Yaml, "", "not valid YAML: found invalid Unicode character escape code (a \\U or \\u escape must name a Unicode character, at most \\U0010FFFF and not a surrogate)", At(scanner.CurrentPosition));
            return null;
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet fails this way on a few inputs libyaml reads (a tab at the start of a line inside a flow mapping).
            _diagnostics.Error(DiagnosticCodes.Yaml, "", $"the YAML parser could not read the file ({e.Message.TrimEnd('.')}); check for tabs used as indentation and replace them with spaces", At(scanner.CurrentPosition));
            return null;
        }
    }

    /// <summary>
    /// Most environment files are plain block YAML, which <see cref="FastYamlReader"/> reads several times faster. It
    /// declines anything it does not handle, and a file whose tree has diagnostics (duplicate keys) is read again by the
    /// general path so that every message comes from one place.
    /// </summary>
    private YNode? ReadFast(string text) => ReadFast(text, out _);

    private YNode? ReadFast(string text, out string? declinedAt)
    {
        var diagnostics = new DiagnosticBag();
        var root = FastYamlReader.TryRead(text, new NodeAssembler(_file, diagnostics), out declinedAt);
        if (diagnostics.Items.Count > 0)
        {
            declinedAt = $"diagnostics: {diagnostics.Items[0]}";
            return null;
        }

        return root;
    }

    /// <summary>
    /// Later documents are ignored, as by the CLI, but its scanner has already read the first token after the first
    /// document by then: a tab, an unterminated quote or a bad escape there still refuses the file.
    /// </summary>
    private static void ScanPastDocument(IParser parser, string text)
    {
        var end = parser.Current as DocumentEnd;
        try
        {
            if (!parser.MoveNext())
            {
                return;
            }
        }
        catch (SemanticErrorException)
        {
            // More content without a '---' (a first line indented deeper than the next): the CLI's parser ends the
            // document there and ignores the rest; only a scanner (lexical) error would have refused the file.
            return;
        }

        var marker = parser.Current is DocumentStart { IsImplicit: false } next ? next.Start : end is { IsImplicit: false } ? end.Start : (Mark?)null;
        var firstTokenLine = marker is { } at ? CheckTabAfterMarker(text, (int)at.Index) : null;
        if (parser.Current is not DocumentStart)
        {
            return;
        }

        try
        {
            parser.MoveNext();
        }
        catch (YamlException e) when (e is SemanticErrorException || e.Start.Line != firstTokenLine)
        {
            // YamlDotNet looked past the first token (e.g. to the end of a multi-line plain scalar), or parsed it; libyaml
            // only scanned it.
        }
    }

    /// <summary>
    /// After a '---' or '...' marker, libyaml refuses a tab that starts a line (after any spaces) before the next token;
    /// YamlDotNet skips it. Blank lines and comments may come first. Returns the line of the first token, if any.
    /// </summary>
    private static long? CheckTabAfterMarker(string text, int marker)
    {
        var i = text.AsSpan(marker).StartsWith("---") || text.AsSpan(marker).StartsWith("...") ? marker + 3 : marker;
        while (i < text.Length && text[i] is ' ' or '\t')
        {
            i++;
        }

        while (i < text.Length)
        {
            if (text[i] == '#')
            {
                while (i < text.Length && text[i] is not ('\n' or '\r'))
                {
                    i++;
                }

                continue;
            }

            if (text[i] is not ('\n' or '\r'))
            {
                return LineAndColumn(text, i).Line;
            }

            i++;
            while (i < text.Length && text[i] == ' ')
            {
                i++;
            }

            if (i < text.Length && text[i] == '\t')
            {
                var (line, column) = LineAndColumn(text, i);
                var at = new Mark(i, line, column);
                throw new SyntaxErrorException(at, at, "found a tab character that cannot start any token (after a document marker, a line may not start with a tab)");
            }
        }

        return null;
    }

    private static string CleanMessage(YamlException e)
    {
        // YamlDotNet prefixes messages with "(Line: x, Col: y, Idx: z) - (...): ": the location is reported separately.
        var message = e.Message;
        var start = message.IndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith("(Line:", StringComparison.Ordinal) && start > 0)
        {
            message = message[(start + 3)..];
        }

        return message.TrimEnd('.');
    }

    private bool CheckAliasing(YNode root)
    {
        var (decoded, aliased) = (root.Decoded, root.Aliased);
        if (aliased > 100 && decoded > 1000 && (double)aliased / decoded > AllowedAliasRatio(decoded))
        {
            _diagnostics.Error(
                DiagnosticCodes.Yaml,
                "",
                $"the YAML expands through aliases to {decoded:N0} nodes, {aliased:N0} of them from aliases: refused as excessive aliasing (a \"billion laughs\" file)",
                root.Location);
            return false;
        }

        return true;
    }

    /// <summary>Reads one node; the flag tells whether it was an alias (its nodes then count as aliased).</summary>
    private (YNode Node, bool ViaAlias) ReadNode(IParser parser, int depth)
    {
        var current = parser.Current ?? throw new YamlException("unexpected end of the YAML stream");

        // Only lists and mappings count, as in the CLI's JSON conversion (a scalar inside the deepest list is fine).
        if (depth > MaxDepth && current is SequenceStart or MappingStart)
        {
            throw new TooDeepException(At(current.Start));
        }

        switch (current)
        {
            case AnchorAlias alias:
                parser.MoveNext();
                if (!_assembler.TryAlias(alias.Value.Value, out var target))
                {
                    throw new YamlException(alias.Start, alias.End, $"unknown anchor '{alias.Value.Value}' referenced (an anchor must be defined before it is used, and not inside itself)");
                }

                return (target, true);
            case Scalar scalar:
                parser.MoveNext();
                return (Remember(scalar.Anchor, ToScalar(scalar)), false);
            case SequenceStart start:
                return (ReadSequence(parser, start, depth), false);
            case MappingStart start:
                return (ReadMapping(parser, start, depth), false);
            default:
                throw new YamlException(current.Start, current.End, $"unexpected {current.GetType().Name}");
        }
    }

    private T Remember<T>(AnchorName anchor, T node)
        where T : YNode
    {
        if (!anchor.IsEmpty)
        {
            _assembler.Anchor(anchor.Value, node);
        }

        return node;
    }

    private YScalar ToScalar(Scalar scalar)
    {
        var location = At(scalar.Start);
        var quoted = scalar.Style is not ScalarStyle.Plain;
        var kind = scalar.Tag.IsEmpty || scalar.Tag.Value == "!" && !quoted
            ? quoted ? ScalarKind.String : ScalarResolver.Resolve(scalar.Value)
            : KindOfTag(scalar);
        var timestampTag = !scalar.Tag.IsEmpty && scalar.Tag.Value == "tag:yaml.org,2002:timestamp";
        return new YScalar(location, scalar.Value, kind, quoted || (!scalar.Tag.IsEmpty && kind == ScalarKind.String))
        {
            IsTimestamp = kind == ScalarKind.String && (timestampTag || (!quoted && scalar.Tag.IsEmpty)) && ScalarResolver.IsTimestamp(scalar.Value),
        };
    }

    private static ScalarKind KindOfTag(Scalar scalar) => scalar.Tag.Value switch
    {
        "tag:yaml.org,2002:str" or "tag:yaml.org,2002:binary" or "!" => ScalarKind.String,
        "tag:yaml.org,2002:null" => ScalarKind.Null,
        "tag:yaml.org,2002:bool" => Checked(scalar, ScalarKind.Bool),
        "tag:yaml.org,2002:int" => Checked(scalar, ScalarKind.Int),
        "tag:yaml.org,2002:float" => ScalarResolver.Resolve(scalar.Value) is ScalarKind.Int or ScalarKind.Float ? ScalarKind.Float : Checked(scalar, ScalarKind.Float),
        // Like the CLI's YAML library, unknown local tags are ignored and the value resolves as if untagged.
        _ => scalar.Style is ScalarStyle.Plain ? ScalarResolver.Resolve(scalar.Value) : ScalarKind.String,
    };

    private static ScalarKind Checked(Scalar scalar, ScalarKind wanted) => ScalarResolver.Resolve(scalar.Value) == wanted
        ? wanted
        : throw new YamlException(scalar.Start, scalar.End, $"cannot read '{YScalar.Shorten(scalar.Value)}' as {wanted.ToString().ToLowerInvariant()} (tag {scalar.Tag.Value})");

    private YSequence ReadSequence(IParser parser, SequenceStart start, int depth)
    {
        parser.MoveNext();
        var items = new List<(YNode, bool)>();
        while (!parser.Accept<SequenceEnd>(out _))
        {
            items.Add(ReadNode(parser, depth + 1));
        }

        var sequence = Remember(start.Anchor, NodeAssembler.Sequence(At(start.Start), items));
        MovePastEnd(parser, depth);
        return sequence;
    }

    private YMapping ReadMapping(IParser parser, MappingStart start, int depth)
    {
        parser.MoveNext();
        var pairs = new List<(YNode, bool, YNode, bool)>();
        while (!parser.Accept<MappingEnd>(out _))
        {
            var (key, keyViaAlias) = ReadNode(parser, depth + 1);
            var (value, valueViaAlias) = ReadNode(parser, depth + 1);
            pairs.Add((key, keyViaAlias, value, valueViaAlias));
        }

        var mapping = Remember(start.Anchor, _assembler.Mapping(At(start.Start), pairs));
        MovePastEnd(parser, depth);
        return mapping;
    }

    /// <summary>
    /// Moves past the end of a list or mapping. At the root, YamlDotNet refuses content that follows without a '---'
    /// (e.g. after a first line indented deeper than the next); the CLI's parser ends the document there instead and
    /// ignores the rest, so the root is kept. Lexical errors in what follows still throw, as in the CLI.
    /// </summary>
    private void MovePastEnd(IParser parser, int depth)
    {
        if (depth > 0)
        {
            parser.MoveNext();
            return;
        }

        try
        {
            parser.MoveNext();
        }
        catch (SemanticErrorException)
        {
            _endedBeforeMarker = true;
        }
    }

    /// <summary>
    /// Passes YamlDotNet's tokens through, refusing tabs where libyaml (the CLI's scanner) expects a token and YamlDotNet
    /// skips them ("found character that cannot start any token"): after a block '-' or '?' indicator, and first on a
    /// line (after any spaces) in block context, even a blank line. A tab after ':' is fine in both; the lines after a
    /// plain or block scalar belong to that scalar's scanner, whose tab checks YamlDotNet shares.
    /// </summary>
    private sealed class LibyamlTabRules(IScanner inner, string text) : IScanner
    {
        private Token? _checked;
        private int _flowLevel;
        private int _end;
        private bool _afterScalarBody;

        public Mark CurrentPosition => inner.CurrentPosition;

        public Token? Current => inner.Current;

        public bool MoveNext() => Check(inner.MoveNext());

        public bool MoveNextWithoutConsuming() => Check(inner.MoveNextWithoutConsuming());

        public void ConsumeCurrent() => inner.ConsumeCurrent();

        private bool Check(bool moved)
        {
            var token = inner.Current;
            if (!moved || token is null || ReferenceEquals(token, _checked))
            {
                return moved;
            }

            _checked = token;
            var start = (int)token.Start.Index;
            if (start > _end && _flowLevel == 0 && !_afterScalarBody)
            {
                CheckLineStarts(_end, start);
            }

            // YamlDotNet gives flow indicators and '...' no width; they end one (three) characters on.
            var end = token switch
            {
                FlowSequenceStart or FlowSequenceEnd or FlowMappingStart or FlowMappingEnd => start + 1,
                YamlDotNet.Core.Tokens.DocumentEnd when text.AsSpan(start).StartsWith("...") => start + 3,
                _ => (int)token.End.Index,
            };
            if (end > _end)
            {
                _end = end;
                _afterScalarBody = token is YamlDotNet.Core.Tokens.Scalar { Style: ScalarStyle.Plain or ScalarStyle.Literal or ScalarStyle.Folded };
            }

            switch (token)
            {
                case FlowSequenceStart or FlowMappingStart:
                    _flowLevel++;
                    break;
                case FlowSequenceEnd or FlowMappingEnd:
                    _flowLevel = Math.Max(0, _flowLevel - 1);
                    break;
                case BlockEntry:
                case Key when _flowLevel == 0 && token.End.Index == token.Start.Index + 1 && text[(int)token.Start.Index] == '?':
                    var i = (int)token.End.Index;
                    while (i < text.Length && text[i] == ' ')
                    {
                        i++;
                    }

                    if (i < text.Length && text[i] == '\t')
                    {
                        var (line, column) = LineAndColumn(text, i);
                        var at = new Mark(i, line, column);
                        throw new SyntaxErrorException(at, at, $"found a tab character after '{text[(int)token.Start.Index]}', where a token must start (use spaces)");
                    }

                    break;
            }

            return moved;
        }

        /// <summary>Between two tokens: a line whose first character after its spaces is a tab, blank or not.</summary>
        private void CheckLineStarts(int from, int to)
        {
            var lineStart = from == 0;
            for (var i = from; i < to; i++)
            {
                var c = text[i];
                if (c is '\n' or '\r' or '\u0085' or '\u2028' or '\u2029')
                {
                    lineStart = true;
                    continue;
                }

                if (lineStart && c == '\t')
                {
                    var (line, column) = LineAndColumn(text, i);
                    var at = new Mark(i, line, column);
                    throw new SyntaxErrorException(at, at, "found a tab character that cannot start any token (indent with spaces only)");
                }

                lineStart &= c == ' ';
                if (c == '#')
                {
                    while (i + 1 < to && text[i + 1] is not ('\n' or '\r'))
                    {
                        i++;
                    }
                }
            }
        }
    }

    private sealed class TooDeepException(SourceLocation location) : Exception
    {
        public SourceLocation Location { get; } = location;
    }
}
