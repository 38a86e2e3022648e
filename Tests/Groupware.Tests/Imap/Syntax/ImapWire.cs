using System.Buffers;
using System.Text;
using Groupware.Connections;
using Groupware.Connections.Framing;
using Groupware.Imap.Syntax;

namespace Groupware.Tests.Imap.Syntax;

/// <summary>
/// Commands as a client sends them, framed by the session's own framer (literals read into memory as
/// the engine reads them), so the reader is tested on what it will really be given.
/// </summary>
internal static class ImapWire
{
    private static readonly SessionLimits Limits = new() { MaxLineLength = 64 * 1024, MaxCommandSize = 1024 * 1024 };

    /// <summary>Frames one command written as on the wire (<c>\r\n</c> after each line, literals inline).</summary>
    public static FramedCommand Frame(string wire) => Frame(Encoding.UTF8.GetBytes(wire));

    public static FramedCommand Frame(byte[] wire)
    {
        var framer = CommandFramer.LinesWithLiterals(Limits);
        var input = new ReadOnlySequence<byte>(wire);
        while (true)
        {
            var step = framer.Frame(input, out var consumed, out _);
            input = input.Slice(consumed);
            switch (step.Kind)
            {
                case FrameKind.Command:
                    return framer.TakeCommand();
                case FrameKind.Literal:
                    var literal = CommandLiteral.InMemory(step.Literal.Length, step.Literal.Binary);
                    literal.WriteAsync(input.Slice(0, step.Literal.Length), CancellationToken.None).AsTask().GetAwaiter().GetResult();
                    input = input.Slice(step.Literal.Length);
                    framer.AddLiteral(literal);
                    break;
                default:
                    throw new InvalidOperationException("the wire text ends inside a command");
            }
        }
    }

    /// <summary>A reader over one line of arguments, no literals.</summary>
    public static ImapReader Line(string text) => new(Encoding.UTF8.GetBytes(text));

    /// <summary>A reader over a framed command; the command is kept alive by the caller's <paramref name="command"/>.</summary>
    public static ImapReader Reader(string wire, out FramedCommand command)
    {
        command = Frame(wire);
        return new ImapReader(command);
    }
}
