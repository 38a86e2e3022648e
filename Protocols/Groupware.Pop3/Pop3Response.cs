using Groupware.Connections;
using Groupware.Storage.Mail;

namespace Groupware.Pop3;

/// <summary>A message to send as a multi-line response (RETR, TOP), streamed from the store and dot-stuffed.</summary>
/// <param name="Number">Its number in the maildrop.</param>
/// <param name="Message">The maildrop entry.</param>
/// <param name="BodyLines">For TOP, how many body lines follow the header; null for the whole message.</param>
internal sealed record MessageTransfer(int Number, MaildropMessage Message, int? BodyLines);

/// <summary>
/// What a POP3 command answers (RFC 1939 §3), as a value: a status line (<c>+OK</c> or <c>-ERR</c>,
/// with an RFC 2449 response code where one fits), and for a multi-line response either its lines or
/// a message to stream; and whether the session goes on. Refusals are responses, never exceptions.
/// </summary>
internal sealed record Pop3Response(string StatusLine, IReadOnlyList<string>? Lines = null, MessageTransfer? Message = null,
    SessionStep Step = SessionStep.Continue)
{
    /// <summary>Nothing more to send (STLS wrote its answer before the handshake).</summary>
    public static Pop3Response Nothing(SessionStep step) => new("", Step: step);

    public bool IsEmpty => StatusLine.Length == 0;

    public static implicit operator Pop3Response(string statusLine) => new(statusLine);
}

/// <summary>What parsing a command's arguments gave: the command, or the response refusing it.</summary>
internal readonly record struct ParseResult(Commands.Pop3Command? Command, Pop3Response? Error)
{
    public static implicit operator ParseResult(Commands.Pop3Command command) => new(command, null);

    public static implicit operator ParseResult(Pop3Response error) => new(null, error);

    public static implicit operator ParseResult(string error) => new(null, error);
}
