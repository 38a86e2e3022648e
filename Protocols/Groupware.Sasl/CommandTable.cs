using Groupware.Sasl.Commands;

namespace Groupware.Sasl;

/// <summary>One command of the table: its parser and the states it is allowed in.</summary>
internal sealed record CommandEntry(string Verb, SaslState AllowedIn, Func<IReadOnlyList<string>, ParseResult> Parse);

/// <summary>
/// Every command an authentication client may send (Dovecot's auth-client protocol 1.x): <c>VERSION</c> first,
/// then <c>CPID</c>, then any number of <c>AUTH</c> requests and their <c>CONT</c>inuations. A command out of
/// that order, or one not in the table, makes Dovecot close the connection, and so does this server.
/// </summary>
internal static class CommandTable
{
    public static IReadOnlyDictionary<string, CommandEntry> Entries { get; } = new Dictionary<string, CommandEntry>(StringComparer.Ordinal)
    {
        ["VERSION"] = new("VERSION", SaslState.Connected, VersionCommand.Parse),
        ["CPID"] = new("CPID", SaslState.Versioned, CpidCommand.Parse),
        ["AUTH"] = new("AUTH", SaslState.Ready, AuthCommand.Parse),
        ["CONT"] = new("CONT", SaslState.Ready, ContCommand.Parse),
    };
}
