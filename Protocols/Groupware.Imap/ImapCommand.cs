using Groupware.Imap.Syntax;

namespace Groupware.Imap;

/// <summary>
/// One parsed IMAP command. Each command's file holds its syntax (<c>Parse</c>: the arguments after
/// the command name in, the command or a refusal out) and its behaviour (<see cref="ExecuteAsync"/>),
/// which writes the untagged data it produces and returns its tagged completion as a value.
/// </summary>
internal abstract record ImapCommand
{
    public abstract ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken);
}

/// <summary>What parsing a command's arguments gave: the command, or the text of its BAD.</summary>
internal readonly record struct ParseResult(ImapCommand? Command, string? Error)
{
    public static implicit operator ParseResult(ImapCommand command) => new(command, null);

    public static implicit operator ParseResult(string error) => new(null, error);
}

/// <summary>One command of the table: its name, the states it is allowed in, and its parser.</summary>
internal sealed record CommandEntry(string Name, ImapState AllowedIn, Func<ImapReader, ImapSession, ParseResult> Parse);
