namespace Groupware.Imap.Commands;

/// <summary>
/// COMPRESS DEFLATE (RFC 4978 §3): after the tagged OK, sent uncompressed, both directions are raw
/// DEFLATE (RFC 1951) on top of TLS, through the engine's transport layers, IDLE included. Offered
/// only after login, as Dovecot does: compressing what a client sends before it authenticates would
/// mix its credentials with other data in one compression context, the ground that CRIME-style
/// attacks stand on. A second COMPRESS is BAD [COMPRESSIONACTIVE] (§3: COMPRESS already active).
/// </summary>
internal sealed record CompressCommand : ImapCommand
{
    private static readonly CompressCommand Instance = new();

    public static ParseResult Parse(Syntax.ImapReader reader, ImapSession session)
    {
        if (!reader.TrySpace() || !reader.TryReadAtom(out var mechanism) || !reader.AtEnd)
        {
            return "Syntax: COMPRESS DEFLATE";
        }

        return mechanism.Equals("DEFLATE", StringComparison.OrdinalIgnoreCase)
            ? Instance
            : "DEFLATE is the only compression mechanism (RFC 4978).";
    }

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        if (session.Compressed)
        {
            return ImapResult.Bad("DEFLATE is active already.", "COMPRESSIONACTIVE");
        }

        // The tagged OK is written by the switch itself, before compression starts; nothing more is said.
        await session.CompressAsync(tag, cancellationToken);
        return new ImapResult(ImapStatus.Ok, null, "", Connections.SessionStep.Continue) { Silent = true };
    }
}
