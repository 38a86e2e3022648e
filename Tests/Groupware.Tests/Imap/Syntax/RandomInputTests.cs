using System.Buffers;
using System.Text;
using Groupware.Imap.Responses;
using Groupware.Imap.Syntax;
using Groupware.Storage.Mail;

namespace Groupware.Tests.Imap.Syntax;

/// <summary>
/// A property of every parser: whatever a client sends, it answers true or false and never throws.
/// Inputs are random runs of the grammar's own words and special characters, with literals framed
/// by the session's framer, from fixed seeds so that a failure repeats.
/// </summary>
public sealed class RandomInputTests
{
    private static readonly string[] Pieces =
    [
        " ", " ", " ", "(", ")", "[", "]", "<", ">", ".", ":", ",", "*", "$", "%", "\"", "\\", "{", "}", "~", "+", "-", "&", "0", "1", "7", "42",
        "4294967296", "99999999999999999999", "\0", "\r", "\t", "é", "台", "NIL", "BODY", "BODY.PEEK", "BINARY", "BINARY.SIZE", "HEADER",
        "HEADER.FIELDS", "HEADER.FIELDS.NOT", "TEXT", "MIME", "FLAGS", "+FLAGS.SILENT", "-FLAGS", "UID", "ALL", "FAST", "FULL", "ENVELOPE",
        "RFC822", "MODSEQ", "CHANGEDSINCE", "UNCHANGEDSINCE", "VANISHED", "OR", "NOT", "NEW", "KEYWORD", "SINCE", "1-Feb-1994", "\"1-Feb-1994\"",
        "\"17-Jul-1996 02:44:25 -0700\"", "RETURN", "CHARSET", "UTF-8", "MIN", "SAVE", "\\Seen", "\\*", "\\Recent", "INBOX", "&U,BTFw-", "&-", "&",
        "/flags/\\\\seen", "priv",
    ];

    [Test]
    public void Parsers_never_throw_on_random_lines()
    {
        var random = new Random(9051);
        for (var run = 0; run < 20_000; run++)
        {
            var line = RandomText(random);
            var octets = Encoding.UTF8.GetBytes(line);
            Assert.DoesNotThrow(() => ParseAll(() => new ImapReader(octets)), line);
        }
    }

    [Test]
    public void Parsers_never_throw_on_random_commands_with_literals()
    {
        var random = new Random(7888);
        for (var run = 0; run < 3_000; run++)
        {
            var wire = new StringBuilder("t");
            for (var part = random.Next(1, 4); part > 0; part--)
            {
                wire.Append(RandomText(random).Replace("\r", "", StringComparison.Ordinal));
                if (part > 1)
                {
                    var literal = RandomText(random);
                    wire.Append(random.Next(3) switch { 0 => "~{", _ => "{" }).Append(Encoding.UTF8.GetByteCount(literal))
                        .Append(random.Next(2) == 0 ? "+}" : "}").Append("\r\n").Append(literal);
                }
            }

            // A line that ends in "}" would announce a literal the input does not hold.
            wire.Append(wire[^1] == '}' ? "x\r\n" : "\r\n");
            var text = wire.ToString();
            using var command = ImapWire.Frame(text);
            if (command.Error != Groupware.Connections.Framing.FrameError.None)
            {
                continue;
            }

            Assert.DoesNotThrow(() => ParseAll(() => new ImapReader(command)), text);
        }
    }

    [Test]
    public void Matchers_codecs_and_the_writer_never_throw_on_random_text()
    {
        var random = new Random(3501);
        var buffer = new ArrayBufferWriter<byte>();
        for (var run = 0; run < 5_000; run++)
        {
            var text = RandomText(random);
            Assert.DoesNotThrow(() =>
            {
                _ = ModifiedUtf7.TryDecode(text, out _);
                _ = ModifiedUtf7.Encode(text);
                _ = SequenceSet.TryParse(text, out _, out _);
                ListPattern.Create(text, RandomText(random), '/').IsMatch(RandomText(random));
                buffer.Clear();
                var writer = new ImapResponseWriter(buffer) { Utf8 = random.Next(2) == 0 };
                writer.WriteString(text);
                writer.WriteMailbox(text);
                writer.WriteAString(text);
            }, text);
        }
    }

    private static string RandomText(Random random)
    {
        var text = new StringBuilder();
        for (var i = random.Next(0, 16); i > 0; i--)
        {
            text.Append(Pieces[random.Next(Pieces.Length)]);
        }

        return text.ToString();
    }

    /// <summary>Runs every entry point over a fresh reader of the same input.</summary>
    private static void ParseAll(Func<ImapReader> reader)
    {
        _ = FetchItems.TryParse(reader(), out _, out _);
        _ = SearchProgram.TryParse(reader(), out _, out _, out _);
        _ = StoreArguments.TryParse(reader(), out _, out _);
        var r = reader();
        while (!r.AtEnd)
        {
            var before = r.Position;
            _ = r.TryReadTag(out _) || r.TryReadAtom(out _) || r.TryReadSequenceSet(out _) || r.TryReadAString(out _) || r.TryReadNString(out _) ||
                r.TryReadFlagList(out _) || r.TryReadFlag(out _, allowWildcard: true) || r.TryReadDateTime(out _) || r.TryReadDate(out _) ||
                r.TryReadMailbox(false, out _) || r.TryReadMailbox(true, out _) || r.TryReadListMailbox(false, out _) ||
                r.TryReadLiteralBody(out _) || r.TryReadNumber64(out _) || r.TryReadList(x => x.TryReadAString(out _)) || r.TrySpace();
            if (r.Position == before && !r.TryRead((char)r.Peek()))
            {
                break;
            }
        }
    }
}
