using Groupware.Connections;

namespace Groupware.Lmtp.Commands;

/// <summary>
/// STARTTLS (RFC 3207 §4) on a listener with <c>Tls: starttls</c>. After the handshake every state
/// is forgotten and the client must send LHLO again (§4.2). Bytes pipelined after the command end
/// the connection (<see cref="LineSession.StartTlsAsync"/>, CVE-2011-0411).
/// </summary>
internal sealed record StartTlsCommand : LmtpCommand
{
    private static readonly StartTlsCommand Instance = new();

    public static ParseResult Parse(string arguments) =>
        arguments.Length == 0 ? Instance : LmtpReply.SyntaxError("Syntax: STARTTLS (no parameters)");

    public override async ValueTask<LmtpResponse> ExecuteAsync(LmtpSession session, CancellationToken cancellationToken)
    {
        if (session.Security.IsTls)
        {
            return LmtpReply.BadSequence("TLS is already active");
        }

        if (!session.StartTlsOffered)
        {
            return new LmtpReply(502, "5.5.1", "STARTTLS is not offered on this listener");
        }

        var outcome = await session.UpgradeToTlsAsync(new LmtpReply(220, "2.0.0", "Ready to start TLS"), cancellationToken);
        return new LmtpResponse([], outcome == StartTlsOutcome.Started ? SessionStep.Continue : SessionStep.Close);
    }
}
