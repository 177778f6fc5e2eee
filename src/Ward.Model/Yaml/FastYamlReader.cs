using System.Buffers;
using System.Globalization;
using System.Text;
using Ward.Model.Diagnostics;

namespace Ward.Model.Yaml;

/// <summary>
/// A fast reader for the YAML that environment files are made of: block mappings and sequences, flow collections,
/// single-line plain and quoted scalars, comments, anchors, aliases and merge keys. It builds the same tree, with the
/// same positions, as the YamlDotNet path, several times faster and with a fraction of the allocations.
/// <para>
/// It is deliberately narrow. Anything else — tabs, carriage returns, tags, block scalars, multi-line scalars,
/// explicit keys, directives, several documents, or any error — makes it give up, and the caller reads the file with
/// the YamlDotNet path, which handles everything and reports errors the way the Docker CLI does. A differential test
/// checks that wherever this reader succeeds, both paths agree exactly.
/// </para>
/// </summary>
internal sealed class FastYamlReader
{
    // Deeper files are rare and go to the general path, which guards its depth itself.
    private const int MaxDepth = 64;

    // The CLI's YAML library looks no further than 1024 characters for a simple key's ':'; long keys go to the general path.
    private const int MaxKeyLength = 1000;

    // Characters whose handling (tabs, other line breaks, byte order marks, control characters, surrogates) the general path owns.
    private static readonly SearchValues<char> GeneralPathCharacters = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Where(c => c != '\n').Select(c => (char)c), .. Enumerable.Range(0x7F, 0x21).Select(c => (char)c),
         '\u2028', '\u2029', '\uFEFF', '\uFFFE', '\uFFFF',
         // Characters beyond the BMP: the general path counts them as one column, this reader as two UTF-16 units.
         .. Enumerable.Range(0xD800, 0x800).Select(c => (char)c)]);

    private readonly string _text;
    private readonly NodeAssembler _assembler;

    // Keys and short values repeat across thousands of services: one string each, not one per occurrence.
    private readonly StringPool _strings = new();
    private int _pos;
    private int _line = 1;
    private int _lineStart;
    private int _depth;

    // Scratch lists for the collection being read at each depth, reused: the assembler copies what it keeps, and a
    // large mapping (thousands of services) then never regrows a list or lands one on the large-object heap.
    private readonly List<List<(YNode, bool, YNode, bool)>> _pairBuffers = [];
    private readonly List<List<(YNode, bool)>> _itemBuffers = [];

    // The indentation of the line on which the outermost open flow collection started.
    private int _flowLineIndent;

    private FastYamlReader(string text, NodeAssembler assembler)
    {
        _text = text;
        _assembler = assembler;
    }

    /// <summary>The document's root, or null when this reader does not handle the text (the caller then uses the general path).</summary>
    public static YNode? TryRead(string text, NodeAssembler assembler) => TryRead(text, assembler, out _);

    /// <summary>As <see cref="TryRead(string, NodeAssembler)"/>, saying where (line:column) the reader gave up, for tests and benchmarks.</summary>
    public static YNode? TryRead(string text, NodeAssembler assembler, out string? declinedAt)
    {
        declinedAt = null;
        if (text.AsSpan().IndexOfAny(GeneralPathCharacters) is var special and >= 0)
        {
            declinedAt = $"offset {special}: a character the general path handles";
            return null;
        }

        var reader = new FastYamlReader(text, assembler);
        try
        {
            return reader.Document();
        }
        catch (UnsupportedException)
        {
            declinedAt = $"{reader._line}:{reader.Indent + 1}";
            return null;
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            // A bad merge key or a complex key: the general path reports it with the CLI's words.
            declinedAt = $"{e.Start.Line}:{e.Start.Column}: {e.Message}";
            return null;
        }
    }

    private bool AtEnd => _pos >= _text.Length;

    private char Current => _pos < _text.Length ? _text[_pos] : '\0';

    private int Indent => _pos - _lineStart;

    private SourceLocation Here => _assembler.At(_line, _pos - _lineStart + 1);

    private static UnsupportedException Unsupported() => new();

    private YNode Document()
    {
        SkipToContent();
        if (AtEnd)
        {
            throw Unsupported();
        }

        if (Current == '%' || (Indent == 0 && _text.AsSpan(_pos).StartsWith("...")))
        {
            throw Unsupported();
        }

        if (Indent == 0 && _text.AsSpan(_pos).StartsWith("---"))
        {
            _pos += 3;
            if (!AtLineEnd())
            {
                throw Unsupported();
            }

            SkipToContent();
            if (AtEnd)
            {
                throw Unsupported();
            }
        }

        var (root, _) = BlockNode(-1);
        if (!AtEnd)
        {
            // Content after the root (a second document, an under-indented line): the general path knows the CLI's rules.
            throw Unsupported();
        }

        return root;
    }

    /// <summary>A node that starts at the current content position, on its own line, indented beyond its parent.</summary>
    private (YNode Node, bool ViaAlias) BlockNode(int parentIndent)
    {
        if (IsSequenceEntry())
        {
            return (Sequence(Indent), false);
        }

        if (IsMappingEntry())
        {
            return (Mapping(Indent), false);
        }

        // A scalar or flow collection alone on its line(s).
        var node = InlineNode();
        AfterInline(parentIndent);
        return node;
    }

    private YMapping Mapping(int indent)
    {
        Enter();
        var start = Here;
        var pairs = Buffer(_pairBuffers);
        while (true)
        {
            if (Indent != indent || !IsMappingEntry())
            {
                throw Unsupported();
            }

            var key = Key();
            _pos++; // ':'
            var (value, viaAlias) = Value(indent, afterIndicator: _pos, sameIndentSequence: true);
            pairs.Add((key, false, value, viaAlias));
            if (AtEnd || Indent < indent)
            {
                break;
            }

            if (Indent > indent)
            {
                throw Unsupported();
            }
        }

        _depth--;
        return _assembler.Mapping(start, pairs);
    }

    private YSequence Sequence(int indent)
    {
        Enter();
        var start = Here;
        var items = Buffer(_itemBuffers);
        while (true)
        {
            _pos++; // '-'
            var afterDash = _pos;
            SkipSpaces();
            if (!AtLineEnd() && IsMappingEntry())
            {
                // A compact mapping: "- key: value", its further keys aligned under the first.
                items.Add((Mapping(Indent), false));
            }
            else if (!AtLineEnd() && IsSequenceEntry())
            {
                throw Unsupported();
            }
            else
            {
                _pos = afterDash;
                items.Add(Value(indent, afterIndicator: afterDash, sameIndentSequence: false));
            }

            if (AtEnd || Indent < indent)
            {
                break;
            }

            if (Indent > indent)
            {
                throw Unsupported();
            }

            if (!IsSequenceEntry())
            {
                // The line belongs to the parent mapping (a sequence written at the same indent as its key).
                break;
            }
        }

        _depth--;
        return NodeAssembler.Sequence(start, items);
    }

    /// <summary>
    /// The value after a mapping's ':' or a sequence's '-': inline on the same line, or on the following lines indented
    /// beyond <paramref name="indent"/> (a sequence may also sit at the key's own indent), or empty. Leaves the position
    /// at the next content line.
    /// </summary>
    private (YNode Node, bool ViaAlias) Value(int indent, int afterIndicator, bool sameIndentSequence)
    {
        SkipSpaces();
        SourceLocation? anchorAt = null;
        string? anchor = null;
        if (Current == '&')
        {
            anchorAt = Here;
            anchor = Name();
            SkipSpaces();
        }

        if (AtLineEnd())
        {
            var emptyAt = _assembler.At(_line, afterIndicator - _lineStart + 1);
            SkipToContent();
            var nested = !AtEnd && (Indent > indent || (sameIndentSequence && Indent == indent && IsSequenceEntry()));
            if (!nested)
            {
                if (anchor is not null)
                {
                    throw Unsupported();
                }

                return (NodeAssembler.Scalar(emptyAt, "", plain: true), false);
            }

            var (block, blockViaAlias) = BlockNode(indent);
            if (anchor is not null)
            {
                if (blockViaAlias)
                {
                    // An anchor on an alias is an error the general path words.
                    throw Unsupported();
                }

                block = Relocate(block, anchorAt!.Value);
                _assembler.Anchor(anchor, block);
            }

            return (block, blockViaAlias);
        }

        if (IsSequenceEntry() || (anchor is null && IsMappingEntry()))
        {
            // "key: - a" or "key: a: b" on one line: errors the general path words properly.
            throw Unsupported();
        }

        var (node, viaAlias) = InlineNode();
        if (anchor is not null)
        {
            if (viaAlias)
            {
                throw Unsupported();
            }

            node = Relocate(node, anchorAt!.Value);
            _assembler.Anchor(anchor, node);
        }

        AfterInline(indent);
        return (node, viaAlias);
    }

    /// <summary>After an inline node: only a comment may follow on its line, and no deeper line may continue it.</summary>
    private void AfterInline(int parentIndent)
    {
        SkipSpaces();
        if (!AtLineEnd())
        {
            throw Unsupported();
        }

        SkipToContent();
        if (!AtEnd && parentIndent >= 0 && Indent > parentIndent)
        {
            // A deeper line after a plain scalar continues it (a multi-line scalar); after anything else it is an error.
            throw Unsupported();
        }
    }

    private (YNode Node, bool ViaAlias) InlineNode()
    {
        switch (Current)
        {
            case '*':
                return Alias();
            case '[':
                _flowLineIndent = LineIndent();
                return (FlowSequence(), false);
            case '{':
                _flowLineIndent = LineIndent();
                return (FlowMapping(), false);
            case '"' or '\'':
                return (NodeAssembler.Scalar(Here, Quoted(), plain: false), false);
            default:
                return (PlainBlockScalar(), false);
        }
    }

    private YScalar PlainBlockScalar()
    {
        if (!CanStartPlain(inFlow: false))
        {
            throw Unsupported();
        }

        var start = _pos;
        var at = Here;
        var end = start;
        while (_pos < _text.Length && _text[_pos] != '\n')
        {
            var c = _text[_pos];
            if (c == '#' && _text[_pos - 1] == ' ')
            {
                break;
            }

            if (c == ':' && (_pos + 1 >= _text.Length || _text[_pos + 1] is ' ' or '\n'))
            {
                // "mapping values are not allowed here": the general path says so.
                throw Unsupported();
            }

            if (c == ' ' && IsIndicatorAfterSpace(_pos + 1))
            {
                throw Unsupported();
            }

            _pos++;
            if (c != ' ')
            {
                end = _pos;
            }
        }

        _pos = end;
        return NodeAssembler.Scalar(at, _strings.Get(_text.AsSpan(start, end - start)), plain: true);
    }

    private YScalar Key()
    {
        var at = Here;
        if (Current is '"' or '\'')
        {
            return NodeAssembler.Scalar(at, Quoted(), plain: false);
        }

        var start = _pos;
        var end = start;
        while (!(_text[_pos] == ':' && (_pos + 1 >= _text.Length || _text[_pos + 1] is ' ' or '\n')))
        {
            if (_text[_pos] != ' ')
            {
                end = _pos + 1;
            }
            else if (IsIndicatorAfterSpace(_pos + 1))
            {
                throw Unsupported();
            }

            _pos++;
        }

        if (end != _pos || end - start > MaxKeyLength)
        {
            // Spaces before the ':', or a very long key: the general path decides what that means.
            throw Unsupported();
        }

        return NodeAssembler.Scalar(at, _strings.Get(_text.AsSpan(start, end - start)), plain: true);
    }

    /// <summary>Whether the current line, from the position, is "key: ..." (a plain or quoted key and a ':' indicator).</summary>
    private bool IsMappingEntry()
    {
        var i = _pos;
        if (i >= _text.Length)
        {
            return false;
        }

        if (_text[i] is '"' or '\'')
        {
            var close = ClosingQuote(i);
            return close > 0 && close + 1 < _text.Length && _text[close + 1] == ':' && (close + 2 >= _text.Length || _text[close + 2] is ' ' or '\n');
        }

        if (!CanStartPlain(inFlow: false, at: i) || _text[i] is '&' or '*')
        {
            return false;
        }

        for (; i < _text.Length && _text[i] != '\n'; i++)
        {
            if (_text[i] == '#' && _text[i - 1] == ' ')
            {
                return false;
            }

            if (_text[i] == ':' && (i + 1 >= _text.Length || _text[i + 1] is ' ' or '\n'))
            {
                return true;
            }
        }

        return false;
    }

    private bool IsSequenceEntry() =>
        Current == '-' && (_pos + 1 >= _text.Length || _text[_pos + 1] is ' ' or '\n');

    private YSequence FlowSequence()
    {
        Enter();
        var start = Here;
        var items = Buffer(_itemBuffers);
        _pos++;
        SkipFlowSpace();
        while (Current != ']')
        {
            items.Add(FlowNode());
            SkipFlowSpace();
            if (Current == ',')
            {
                _pos++;
                SkipFlowSpace();
            }
            else if (Current != ']')
            {
                throw Unsupported();
            }
        }

        _pos++;
        _depth--;
        return NodeAssembler.Sequence(start, items);
    }

    private YMapping FlowMapping()
    {
        Enter();
        var start = Here;
        var pairs = Buffer(_pairBuffers);
        _pos++;
        SkipFlowSpace();
        while (Current != '}')
        {
            var keyAt = Here;
            var key = Current is '"' or '\'' ? NodeAssembler.Scalar(keyAt, Quoted(), plain: false) : FlowPlainScalar();
            SkipFlowSpace();
            if (Current != ':')
            {
                throw Unsupported();
            }

            _pos++;
            SkipFlowSpace();
            var (value, viaAlias) = Current is ',' or '}' ? throw Unsupported() : FlowNode();
            pairs.Add((key, false, value, viaAlias));
            SkipFlowSpace();
            if (Current == ',')
            {
                _pos++;
                SkipFlowSpace();
            }
            else if (Current != '}')
            {
                throw Unsupported();
            }
        }

        _pos++;
        _depth--;
        return _assembler.Mapping(start, pairs);
    }

    private (YNode Node, bool ViaAlias) FlowNode()
    {
        var result = Current switch
        {
            '[' => (FlowSequence(), false),
            '{' => (FlowMapping(), false),
            '"' or '\'' => (NodeAssembler.Scalar(Here, Quoted(), plain: false), false),
            '*' => Alias(),
            // An anchor inside a flow collection: the general path reads some of these differently from the CLI's library.
            '&' => throw Unsupported(),
            _ => (FlowPlainScalar(), false),
        };

        // "[a: b]" is a single-pair mapping inside a list: left to the general path.
        var probe = _pos;
        while (probe < _text.Length && _text[probe] == ' ')
        {
            probe++;
        }

        if (probe < _text.Length && _text[probe] == ':' && Current != ':')
        {
            throw Unsupported();
        }

        return result;
    }

    private (YNode Node, bool ViaAlias) Alias()
    {
        var name = Name();
        return _assembler.TryAlias(name, out var target) ? (target, true) : throw Unsupported();
    }

    private YScalar FlowPlainScalar()
    {
        if (!CanStartPlain(inFlow: true))
        {
            throw Unsupported();
        }

        var at = Here;
        var start = _pos;
        var end = start;
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c is ',' or '[' or ']' or '{' or '}' or '\n' || (c == '#' && _text[_pos - 1] == ' '))
            {
                break;
            }

            if (c == ' ' && (IsIndicatorAfterSpace(_pos + 1) || (_pos + 1 < _text.Length && _text[_pos + 1] is '\'' or '"')))
            {
                throw Unsupported();
            }

            if (c == ':' && (_pos + 1 >= _text.Length || _text[_pos + 1] is ' ' or '\n'))
            {
                // A ':' ends a flow scalar when a space follows; otherwise it is text, as in a time.
                break;
            }

            if (c == ':' && _text[_pos + 1] is ',' or '[' or ']' or '{' or '}')
            {
                // Whether such a ':' ends the scalar is a fine point of YAML: the general path settles it.
                throw Unsupported();
            }

            _pos++;
            if (c != ' ')
            {
                end = _pos;
            }
        }

        if (Current == '\n')
        {
            // A plain scalar may continue on the next line inside a flow collection: the general path folds it.
            var probe = _pos;
            while (probe < _text.Length && _text[probe] is ' ' or '\n')
            {
                probe++;
            }

            if (probe < _text.Length && _text[probe] is not (',' or ']' or '}' or ':' or '#'))
            {
                throw Unsupported();
            }
        }

        _pos = end;
        return NodeAssembler.Scalar(at, _strings.Get(_text.AsSpan(start, end - start)), plain: true);
    }

    /// <summary>Spaces, line breaks and comments inside a flow collection.</summary>
    private void SkipFlowSpace()
    {
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c == ' ')
            {
                _pos++;
            }
            else if (c == '\n')
            {
                NewLine();
            }
            else if (c == '#' && (_pos == _lineStart || _text[_pos - 1] == ' '))
            {
                while (_pos < _text.Length && _text[_pos] != '\n')
                {
                    _pos++;
                }
            }
            else if (_pos - _lineStart == LineIndent() && LineIndent() <= _flowLineIndent)
            {
                // A flow collection's later lines must be indented beyond the block it sits in; this reader asks
                // for more than the line it started on, and leaves anything less to the general path.
                throw Unsupported();
            }
            else
            {
                return;
            }
        }

        throw Unsupported();
    }

    /// <summary>A single-line quoted scalar's value; the position ends after the closing quote.</summary>
    private string Quoted()
    {
        var quote = Current;
        var close = ClosingQuote(_pos);
        if (close < 0)
        {
            throw Unsupported();
        }

        if (close - _pos > MaxKeyLength)
        {
            throw Unsupported();
        }

        var body = _text.AsSpan(_pos + 1, close - _pos - 1);
        _pos = close + 1;

        if (quote == '\'')
        {
            return body.IndexOf('\'') < 0 ? _strings.Get(body) : body.ToString().Replace("''", "'", StringComparison.Ordinal);
        }

        return body.IndexOf('\\') < 0 ? _strings.Get(body) : Unescape(body);
    }

    /// <summary>The index of the quote closing the one at <paramref name="open"/> on the same line, or -1.</summary>
    private int ClosingQuote(int open)
    {
        var quote = _text[open];
        for (var i = open + 1; i < _text.Length && _text[i] != '\n'; i++)
        {
            if (quote == '"' && _text[i] == '\\')
            {
                i++;
                continue;
            }

            if (_text[i] == quote)
            {
                if (quote == '\'' && i + 1 < _text.Length && _text[i + 1] == '\'')
                {
                    i++;
                    continue;
                }

                return i;
            }
        }

        return -1;
    }

    private static string Unescape(ReadOnlySpan<char> body)
    {
        var text = new StringBuilder(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] != '\\')
            {
                text.Append(body[i]);
                continue;
            }

            if (++i >= body.Length)
            {
                throw Unsupported();
            }

            switch (body[i])
            {
                case '0': text.Append('\0'); break;
                case 'a': text.Append('\a'); break;
                case 'b': text.Append('\b'); break;
                case 't' or '\t': text.Append('\t'); break;
                case 'n': text.Append('\n'); break;
                case 'v': text.Append('\v'); break;
                case 'f': text.Append('\f'); break;
                case 'r': text.Append('\r'); break;
                case 'e': text.Append('\x1b'); break;
                case ' ': text.Append(' '); break;
                case '"': text.Append('"'); break;
                case '/': text.Append('/'); break;
                case '\\': text.Append('\\'); break;
                case 'N': text.Append('\u0085'); break;
                case '_': text.Append('\u00a0'); break;
                case 'L': text.Append('\u2028'); break;
                case 'P': text.Append('\u2029'); break;
                case 'x': text.Append(Hex(body, ref i, 2)); break;
                case 'u': text.Append(Hex(body, ref i, 4)); break;
                case 'U': text.Append(Hex(body, ref i, 8)); break;
                default: throw Unsupported();
            }
        }

        return text.ToString();
    }

    private static string Hex(ReadOnlySpan<char> body, ref int i, int digits)
    {
        if (i + digits >= body.Length ||
            !int.TryParse(body.Slice(i + 1, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code) ||
            code is < 0 or > 0x10FFFF or (>= 0xD800 and <= 0xDFFF))
        {
            throw Unsupported();
        }

        i += digits;
        return char.ConvertFromUtf32(code);
    }

    /// <summary>An anchor or alias name after '&amp;' or '*': letters, digits, '-' and '_', as the CLI's YAML library reads them.</summary>
    private string Name()
    {
        var start = ++_pos;
        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] is '-' or '_'))
        {
            _pos++;
        }

        var endsWell = _pos >= _text.Length || _text[_pos] is ' ' or '\n' or ',' or ']' or '}';
        return _pos > start && endsWell ? _text[start.._pos] : throw Unsupported();
    }

    /// <summary>
    /// An indicator after a space inside a plain scalar ("a *b", "a &amp;b"): the general path reads some of these
    /// differently from a plain continuation, so the fast path leaves them all to it.
    /// </summary>
    private bool IsIndicatorAfterSpace(int i) =>
        i < _text.Length && _text[i] is '&' or '*' or '!' or '|' or '>' or '%' or '@' or '`';

    private bool CanStartPlain(bool inFlow, int? at = null)
    {
        var i = at ?? _pos;
        if (i >= _text.Length)
        {
            return false;
        }

        var c = _text[i];
        var next = i + 1 < _text.Length ? _text[i + 1] : '\n';
        return c switch
        {
            ',' or '[' or ']' or '{' or '}' or '#' or '&' or '*' or '!' or '|' or '>' or '\'' or '"' or '%' or '@' or '`' or ' ' or '\n' => false,
            // A scalar may start with '-' before text; one starting with '?' or ':' the general path reads its own way.
            '?' or ':' => false,
            '-' => next is not (' ' or '\n') && !(inFlow && next is ',' or '[' or ']' or '{' or '}'),
            _ => true,
        };
    }

    /// <summary>Whether the rest of the line is empty or a comment.</summary>
    private bool AtLineEnd()
    {
        SkipSpaces();
        return _pos >= _text.Length || _text[_pos] == '\n' || (_text[_pos] == '#' && (_pos == _lineStart || _text[_pos - 1] == ' '));
    }

    private void SkipSpaces()
    {
        while (_pos < _text.Length && _text[_pos] == ' ')
        {
            _pos++;
        }
    }

    /// <summary>Moves past the rest of this line and any blank or comment lines, to the first character of the next content line.</summary>
    private void SkipToContent()
    {
        while (_pos < _text.Length)
        {
            SkipSpaces();
            if (_pos >= _text.Length)
            {
                return;
            }

            var c = _text[_pos];
            if (c == '#' && (_pos == _lineStart || _text[_pos - 1] == ' '))
            {
                while (_pos < _text.Length && _text[_pos] != '\n')
                {
                    _pos++;
                }

                continue;
            }

            if (c == '\n')
            {
                NewLine();
                continue;
            }

            if (_text.AsSpan(_lineStart, Indent).ContainsAnyExcept(' '))
            {
                // Something other than a comment after a node on its line: not for the fast path.
                throw Unsupported();
            }

            return;
        }
    }

    /// <summary>The scratch list for the current depth, emptied.</summary>
    private List<T> Buffer<T>(List<List<T>> buffers)
    {
        while (buffers.Count <= _depth)
        {
            buffers.Add([]);
        }

        var buffer = buffers[_depth];
        buffer.Clear();
        return buffer;
    }

    /// <summary>The number of spaces that start the current line.</summary>
    private int LineIndent()
    {
        var i = _lineStart;
        while (i < _text.Length && _text[i] == ' ')
        {
            i++;
        }

        return i - _lineStart;
    }

    private void NewLine()
    {
        _pos++;
        _line++;
        _lineStart = _pos;
    }

    private void Enter()
    {
        if (++_depth > MaxDepth)
        {
            throw Unsupported();
        }
    }

    /// <summary>A node given a new position: an anchored node starts at its anchor, as in the YamlDotNet path.</summary>
    private static YNode Relocate(YNode node, SourceLocation at) => node switch
    {
        YScalar scalar => new YScalar(at, scalar.Value, scalar.Kind, scalar.Quoted) { IsTimestamp = scalar.IsTimestamp },
        YSequence sequence => new YSequence(at, sequence.Items) { Counts = sequence.Counts },
        YMapping mapping => new YMapping(at, mapping.Entries) { Counts = mapping.Counts },
        _ => node,
    };

    private sealed class UnsupportedException : Exception;
}
