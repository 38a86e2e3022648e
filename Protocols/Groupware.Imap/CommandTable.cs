using System.Collections.Frozen;
using Groupware.Imap.Commands;

namespace Groupware.Imap;

/// <summary>
/// Every IMAP command this server knows and the states each is allowed in (RFC 9051 §6.1–§6.4, with
/// RFC 3501's LSUB and CHECK for IMAP4rev1 clients, and the extensions of <see cref="ImapCapabilities"/>).
/// UID forms are entries of their own (RFC 9051 §6.4.9).
/// </summary>
internal static class CommandTable
{
    public static FrozenDictionary<string, CommandEntry> Entries { get; } = new CommandEntry[]
    {
        // Any state (§6.1).
        new("CAPABILITY", ImapState.Any, CapabilityCommand.Parse),
        new("NOOP", ImapState.Any, NoopCommand.Parse),
        new("LOGOUT", ImapState.Any, LogoutCommand.Parse),
        new("ID", ImapState.Any, IdCommand.Parse),

        // Not Authenticated (§6.2).
        new("STARTTLS", ImapState.NotAuthenticated, StartTlsCommand.Parse),
        new("AUTHENTICATE", ImapState.NotAuthenticated, AuthenticateCommand.Parse),
        new("LOGIN", ImapState.NotAuthenticated, LoginCommand.Parse),

        // Authenticated, and so Selected too (§6.3).
        new("ENABLE", ImapState.LoggedIn, EnableCommand.Parse),
        new("SELECT", ImapState.LoggedIn, SelectCommand.Parse),
        new("EXAMINE", ImapState.LoggedIn, SelectCommand.ParseExamine),
        new("CREATE", ImapState.LoggedIn, CreateCommand.Parse),
        new("DELETE", ImapState.LoggedIn, DeleteCommand.Parse),
        new("RENAME", ImapState.LoggedIn, RenameCommand.Parse),
        new("SUBSCRIBE", ImapState.LoggedIn, SubscribeCommand.Parse),
        new("UNSUBSCRIBE", ImapState.LoggedIn, SubscribeCommand.ParseUnsubscribe),
        new("LIST", ImapState.LoggedIn, ListCommand.Parse),
        new("LSUB", ImapState.LoggedIn, ListCommand.ParseLsub),
        new("NAMESPACE", ImapState.LoggedIn, NamespaceCommand.Parse),
        new("STATUS", ImapState.LoggedIn, StatusCommand.Parse),
        new("APPEND", ImapState.LoggedIn, AppendCommand.Parse),
        new("IDLE", ImapState.LoggedIn, IdleCommand.Parse),
        new("GETQUOTA", ImapState.LoggedIn, GetQuotaCommand.Parse),
        new("GETQUOTAROOT", ImapState.LoggedIn, GetQuotaRootCommand.Parse),
        new("GETMETADATA", ImapState.LoggedIn, GetMetadataCommand.Parse),
        new("SETMETADATA", ImapState.LoggedIn, SetMetadataCommand.Parse),
        new("COMPRESS", ImapState.LoggedIn, CompressCommand.Parse),
        new("UNAUTHENTICATE", ImapState.LoggedIn, UnauthenticateCommand.Parse),

        // Selected (§6.4).
        new("CHECK", ImapState.Selected, NoopCommand.ParseCheck),
        new("CLOSE", ImapState.Selected, CloseCommand.Parse),
        new("UNSELECT", ImapState.Selected, CloseCommand.ParseUnselect),
        new("EXPUNGE", ImapState.Selected, ExpungeCommand.Parse),
        new("UID EXPUNGE", ImapState.Selected, ExpungeCommand.ParseUid),
        new("SEARCH", ImapState.Selected, (reader, session) => SearchCommand.Parse(reader, session, byUid: false)),
        new("UID SEARCH", ImapState.Selected, (reader, session) => SearchCommand.Parse(reader, session, byUid: true)),
        new("FETCH", ImapState.Selected, (reader, session) => FetchCommand.Parse(reader, session, byUid: false)),
        new("UID FETCH", ImapState.Selected, (reader, session) => FetchCommand.Parse(reader, session, byUid: true)),
        new("STORE", ImapState.Selected, (reader, session) => StoreCommand.Parse(reader, session, byUid: false)),
        new("UID STORE", ImapState.Selected, (reader, session) => StoreCommand.Parse(reader, session, byUid: true)),
        new("COPY", ImapState.Selected, (reader, session) => CopyCommand.Parse(reader, session, byUid: false, move: false)),
        new("UID COPY", ImapState.Selected, (reader, session) => CopyCommand.Parse(reader, session, byUid: true, move: false)),
        new("MOVE", ImapState.Selected, (reader, session) => CopyCommand.Parse(reader, session, byUid: false, move: true)),
        new("UID MOVE", ImapState.Selected, (reader, session) => CopyCommand.Parse(reader, session, byUid: true, move: true)),
        new("SORT", ImapState.Selected, (reader, session) => SortCommand.Parse(reader, session, byUid: false)),
        new("UID SORT", ImapState.Selected, (reader, session) => SortCommand.Parse(reader, session, byUid: true)),
        new("THREAD", ImapState.Selected, (reader, session) => ThreadCommand.Parse(reader, session, byUid: false)),
        new("UID THREAD", ImapState.Selected, (reader, session) => ThreadCommand.Parse(reader, session, byUid: true)),
        new("REPLACE", ImapState.Selected, (reader, session) => ReplaceCommand.Parse(reader, session, byUid: false)),
        new("UID REPLACE", ImapState.Selected, (reader, session) => ReplaceCommand.Parse(reader, session, byUid: true)),
    }.ToFrozenDictionary(e => e.Name, StringComparer.Ordinal);
}
