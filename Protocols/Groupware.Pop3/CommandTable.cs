using System.Collections.Frozen;
using Groupware.Pop3.Commands;

namespace Groupware.Pop3;

/// <summary>The POP3 session states of RFC 1939 §3 (UPDATE is the moment QUIT commits, not a state one waits in).</summary>
[Flags]
internal enum Pop3State
{
    Authorization = 1,
    Transaction = 2,
    Any = Authorization | Transaction,
}

/// <summary>One command of the table: its argument parser and the states it is allowed in.</summary>
internal sealed record CommandEntry(string Keyword, Pop3State AllowedIn, Func<string, ParseResult> Parse);

/// <summary>
/// Every POP3 command this server knows and the states each is valid in (RFC 1939 §4–7, RFC 2449 §5
/// for CAPA, RFC 2595 §4 for STLS, RFC 5034 §4 for AUTH).
/// </summary>
internal static class CommandTable
{
    public static FrozenDictionary<string, CommandEntry> Entries { get; } = new CommandEntry[]
    {
        new("CAPA", Pop3State.Any, CapaCommand.Parse),
        new("STLS", Pop3State.Authorization, StlsCommand.Parse),
        new("USER", Pop3State.Authorization, UserCommand.Parse),
        new("PASS", Pop3State.Authorization, PassCommand.Parse),
        new("AUTH", Pop3State.Authorization, AuthCommand.Parse),
        new("STAT", Pop3State.Transaction, StatCommand.Parse),
        new("LIST", Pop3State.Transaction, ListCommand.Parse),
        new("UIDL", Pop3State.Transaction, UidlCommand.Parse),
        new("RETR", Pop3State.Transaction, RetrCommand.Parse),
        new("TOP", Pop3State.Transaction, TopCommand.Parse),
        new("DELE", Pop3State.Transaction, DeleCommand.Parse),
        new("RSET", Pop3State.Transaction, RsetCommand.Parse),
        new("NOOP", Pop3State.Transaction, NoopCommand.Parse),
        new("QUIT", Pop3State.Any, QuitCommand.Parse),
    }.ToFrozenDictionary(e => e.Keyword, StringComparer.Ordinal);
}
