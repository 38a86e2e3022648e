using Groupware.Connections;

namespace Groupware.Imap.Commands;

/// <summary>
/// STARTTLS (RFC 9051 §6.2.1): on a clear-text listener with a certificate, the tagged OK and then the
/// handshake; bytes the client pipelined after the command close the connection instead of crossing
/// into TLS (<see cref="LineSession.StartTlsAsync"/>, CVE-2011-0411). On an implicit-TLS port, or
/// after TLS, BAD.
/// </summary>
internal sealed record StartTlsCommand : ImapCommand
{
    private static readonly StartTlsCommand Instance = new();

    public static ParseResult Parse(Syntax.ImapReader reader, ImapSession session) =>
        reader.AtEnd ? Instance : "STARTTLS takes no arguments.";

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        if (session.Security.IsTls)
        {
            return ImapResult.Bad("TLS is already active.");
        }

        if (!session.CanStartTls)
        {
            return ImapResult.No("STARTTLS is not available on this port.");
        }

        // The tagged OK is written by the upgrade itself, before the handshake; nothing more is said.
        var step = await session.UpgradeAsync(tag, cancellationToken);
        return new ImapResult(ImapStatus.Ok, null, "", step) { Silent = true };
    }
}
