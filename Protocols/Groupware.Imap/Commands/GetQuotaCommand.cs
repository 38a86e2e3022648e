using Groupware.Storage.Mail;

namespace Groupware.Imap.Commands;

/// <summary>
/// GETQUOTA quota-root (RFC 9208 §4.1.1). Every mailbox of an account is under one quota root, the
/// account's, named <see cref="RootName"/> as Dovecot names its user quota, with STORAGE (in units of
/// 1024 octets, §5.1) and MESSAGE (§5.2) where the account has those limits; a resource without a limit
/// is left out of the list, which says it is not limited (§4.2.1). Limits are set by the operator
/// (<c>groupware user set</c>), so SETQUOTA and QUOTASET are not offered.
/// </summary>
internal sealed record GetQuotaCommand(string Root) : ImapCommand
{
    /// <summary>The name of the account's one quota root.</summary>
    public const string RootName = "User quota";

    public static ParseResult Parse(Syntax.ImapReader reader, ImapSession session) =>
        reader.TrySpace() && reader.TryReadAString(out var root) && reader.AtEnd ? new GetQuotaCommand(root) : "Syntax: GETQUOTA quota-root";

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        if (!string.Equals(Root, RootName, StringComparison.Ordinal))
        {
            return ImapResult.No($"No such quota root; GETQUOTAROOT INBOX names this account's, \"{RootName}\".", "NONEXISTENT");
        }

        return await WriteAsync(session, cancellationToken) ? ImapResult.Ok("Getquota completed.") : ImapResult.No("The account is gone.");
    }

    /// <summary>Writes <c>* QUOTA "User quota" (...)</c> with the usage as stored now; false when the account is gone.</summary>
    public static async ValueTask<bool> WriteAsync(ImapSession session, CancellationToken cancellationToken)
    {
        var usage = await session.Store.QuotaAsync(session.Account!.Id, cancellationToken);
        if (usage is null)
        {
            return false;
        }

        var writer = session.ResponseWriter();
        writer.WriteText("* QUOTA ");
        writer.WriteAString(RootName);
        writer.WriteText(" (");
        var first = true;
        if (usage.StorageLimit is { } storage)
        {
            // Usage rounded up and the limit down, so that "used = limit" means no room is left.
            Resource(writer, ref first, "STORAGE", (usage.StorageUsed + 1023) / 1024, storage / 1024);
        }

        if (usage.MessageLimit is { } messages)
        {
            Resource(writer, ref first, "MESSAGE", usage.MessageUsed, messages);
        }

        writer.WriteClose();
        writer.WriteCrlf();
        return true;
    }

    private static void Resource(Responses.ImapResponseWriter writer, ref bool first, string name, long used, long limit)
    {
        if (!first)
        {
            writer.WriteSpace();
        }

        first = false;
        writer.WriteAtom(name);
        writer.WriteSpace();
        writer.WriteNumber(used);
        writer.WriteSpace();
        writer.WriteNumber(limit);
    }
}
