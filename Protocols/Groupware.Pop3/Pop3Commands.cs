using System.Collections.Frozen;
using Groupware.Connections;
using Groupware.Pop3.Commands;

namespace Groupware.Pop3;

/// <summary>One POP3 command: its arguments are parsed and it runs in <see cref="ExecuteAsync"/>.</summary>
internal interface IPop3Command
{
    ValueTask<SessionStep> ExecuteAsync(Pop3Session session, Pop3Command command, CancellationToken cancellationToken);
}

/// <summary>The POP3 commands this server implements and the states each is valid in (RFC 1939 §4–7, RFC 2449, RFC 2595, RFC 5034).</summary>
internal static class Pop3Commands
{
    private static readonly Pop3State[] Authorization = [Pop3State.Authorization];
    private static readonly Pop3State[] Transaction = [Pop3State.Transaction];
    private static readonly Pop3State[] Both = [Pop3State.Authorization, Pop3State.Transaction];

    public static FrozenDictionary<string, (IPop3Command Command, Pop3State[] States)> Table { get; } =
        new Dictionary<string, (IPop3Command, Pop3State[])>(StringComparer.Ordinal)
        {
            ["CAPA"] = (new CapaCommand(), Both),
            ["STLS"] = (new StlsCommand(), Authorization),
            ["USER"] = (new UserCommand(), Authorization),
            ["PASS"] = (new PassCommand(), Authorization),
            ["AUTH"] = (new AuthCommand(), Authorization),
            ["STAT"] = (new StatCommand(), Transaction),
            ["LIST"] = (new ListCommand(), Transaction),
            ["UIDL"] = (new UidlCommand(), Transaction),
            ["RETR"] = (new RetrCommand(), Transaction),
            ["TOP"] = (new TopCommand(), Transaction),
            ["DELE"] = (new DeleCommand(), Transaction),
            ["RSET"] = (new RsetCommand(), Transaction),
            ["NOOP"] = (new NoopCommand(), Transaction),
            ["QUIT"] = (new QuitCommand(), Both),
        }.ToFrozenDictionary(StringComparer.Ordinal);
}
