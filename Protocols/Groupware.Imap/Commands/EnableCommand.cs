namespace Groupware.Imap.Commands;

/// <summary>
/// ENABLE capability... (RFC 5161, RFC 9051 §6.3.1): turns on IMAP4rev2 (RFC 9051 Appendix E:
/// its responses instead of rev1's), UTF8=ACCEPT (RFC 6855: UTF-8 mailbox names and strings),
/// CONDSTORE (RFC 7162 §3.1: MODSEQ in every untagged FETCH) and QRESYNC (§3.2.3: CONDSTORE, and
/// VANISHED instead of EXPUNGE). Unknown capabilities are ignored; the ENABLED response lists what
/// was newly enabled.
/// </summary>
internal sealed record EnableCommand(IReadOnlyList<string> Capabilities) : ImapCommand
{
    private static readonly string[] Known = ["IMAP4rev2", "UTF8=ACCEPT", "CONDSTORE", "QRESYNC"];

    public static ParseResult Parse(Syntax.ImapReader reader, ImapSession session)
    {
        var capabilities = new List<string>();
        while (reader.TrySpace())
        {
            if (!reader.TryReadAtom(out var capability))
            {
                return "Syntax: ENABLE capability...";
            }

            capabilities.Add(capability);
        }

        return capabilities.Count > 0 && reader.AtEnd ? new EnableCommand(capabilities) : "Syntax: ENABLE capability...";
    }

    public override ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        var enabled = new List<string>();
        foreach (var capability in Capabilities)
        {
            var known = Array.Find(Known, k => string.Equals(k, capability, StringComparison.OrdinalIgnoreCase));
            var added = known switch
            {
                null => false,
                "CONDSTORE" => session.EnableCondStore(),
                // QRESYNC implies CONDSTORE (RFC 7162 §3.2.3): ENABLE QRESYNC and ENABLE QRESYNC CONDSTORE do the same.
                "QRESYNC" => session.Enabled.Add(known) | session.EnableCondStore(),
                _ => session.Enabled.Add(known),
            };
            if (added)
            {
                enabled.Add(known!);
            }
        }

        session.WriteLine("* ENABLED" + string.Concat(enabled.Select(e => " " + e)));
        return ValueTask.FromResult(ImapResult.Ok("Enable completed."));
    }
}
