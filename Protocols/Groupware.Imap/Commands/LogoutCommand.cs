using Groupware.Connections;

namespace Groupware.Imap.Commands;

/// <summary>LOGOUT (RFC 9051 §6.1.3): an untagged BYE, the tagged OK, and the connection closes.</summary>
internal sealed record LogoutCommand : ImapCommand
{
    private static readonly LogoutCommand Instance = new();

    public static ParseResult Parse(Syntax.ImapReader reader, ImapSession session) =>
        reader.AtEnd ? Instance : "LOGOUT takes no arguments.";

    public override ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        session.WriteLine("* BYE Logging out.");
        return ValueTask.FromResult(ImapResult.Ok("Logout completed.") with { Step = SessionStep.Close });
    }
}
