namespace Groupware.Imap.Commands;

/// <summary>CAPABILITY (RFC 9051 §6.1.1): one untagged CAPABILITY response, what this session would accept now.</summary>
internal sealed record CapabilityCommand : ImapCommand
{
    private static readonly CapabilityCommand Instance = new();

    public static ParseResult Parse(Syntax.ImapReader reader, ImapSession session) =>
        reader.AtEnd ? Instance : "CAPABILITY takes no arguments.";

    public override ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        session.WriteLine("* CAPABILITY " + session.Capabilities);
        return ValueTask.FromResult(ImapResult.Ok("Capability completed."));
    }
}
