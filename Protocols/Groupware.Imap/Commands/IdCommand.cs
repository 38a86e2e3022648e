namespace Groupware.Imap.Commands;

/// <summary>
/// ID (RFC 2971): the client may say who it is (logged at debug level, never trusted); the server
/// answers <c>* ID NIL</c>, naming no product (DESIGN.md: clients switch quirks on server names).
/// </summary>
internal sealed record IdCommand : ImapCommand
{
    private static readonly IdCommand Instance = new();

    /// <summary>Most field/value pairs RFC 2971 §3.3 allows a client to send.</summary>
    private const int MaxFields = 30;

    public static ParseResult Parse(Syntax.ImapReader reader, ImapSession session)
    {
        if (!reader.TrySpace())
        {
            return "Syntax: ID NIL | ID (field value ...)";
        }

        if (reader.TryReadKeyword("NIL"))
        {
            return reader.AtEnd ? Instance : "Syntax: ID NIL | ID (field value ...)";
        }

        if (!reader.TryRead('('))
        {
            return "Syntax: ID NIL | ID (field value ...)";
        }

        for (var fields = 0; !reader.TryRead(')'); fields++)
        {
            if (fields >= MaxFields || (fields > 0 && !reader.TrySpace()) || !reader.TryReadString(out _) || !reader.TrySpace()
                || !reader.TryReadNString(out _))
            {
                return "ID takes at most 30 pairs of a field string and a value string or NIL.";
            }
        }

        return reader.AtEnd ? Instance : "Syntax: ID NIL | ID (field value ...)";
    }

    public override ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        session.WriteLine("* ID NIL");
        return ValueTask.FromResult(ImapResult.Ok("ID completed."));
    }
}
