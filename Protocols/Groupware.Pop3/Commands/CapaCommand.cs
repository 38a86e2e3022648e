namespace Groupware.Pop3.Commands;

/// <summary>
/// CAPA (RFC 2449 §5): lists what this session would accept right now. Before TLS on a secure
/// node that means STLS, no USER and SASL without mechanisms (RFC 2595 §4, DESIGN.md): a client
/// that follows the list never sends a password in clear.
/// </summary>
internal sealed record CapaCommand : Pop3Command
{
    private static readonly CapaCommand Instance = new();

    public static ParseResult Parse(string arguments) => arguments.Length > 0 ? "-ERR CAPA takes no arguments." : Instance;

    public override ValueTask<Pop3Response> ExecuteAsync(Pop3Session session, CancellationToken cancellationToken)
    {
        List<string> lines = ["TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING"];
        if (session.State == Pop3State.Authorization)
        {
            if (session.Auth.AcceptsPasswords(session.Security))
            {
                lines.Add("USER");
            }

            var mechanisms = session.Auth.SaslMechanisms(session.Security);
            lines.Add(mechanisms.Count == 0 ? "SASL" : "SASL " + string.Join(' ', mechanisms));
            if (session.CanStartTls)
            {
                lines.Add("STLS");
            }
        }

        lines.Add("IMPLEMENTATION groupware");
        return ValueTask.FromResult(new Pop3Response("+OK Capability list follows", lines));
    }
}
