namespace Groupware.Imap.Commands;

/// <summary>NAMESPACE (RFC 9051 §6.3.10, RFC 2342): one personal namespace, the empty prefix, "/" as separator; no others.</summary>
internal sealed record NamespaceCommand : ImapCommand
{
    private static readonly NamespaceCommand Instance = new();

    public static ParseResult Parse(Syntax.ImapReader reader, ImapSession session) =>
        reader.AtEnd ? Instance : "NAMESPACE takes no arguments.";

    public override ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        session.WriteLine("* NAMESPACE ((\"\" \"/\")) NIL NIL");
        return ValueTask.FromResult(ImapResult.Ok("Namespace completed."));
    }
}
