using Groupware.Connections;

namespace Groupware.Pop3.Commands;

/// <summary>
/// STLS (RFC 2595 §4): upgrades to TLS in the AUTHORIZATION state. Bytes pipelined after the
/// command close the connection instead of crossing into TLS (<see cref="LineSession.StartTlsAsync"/>).
/// </summary>
internal sealed record StlsCommand : Pop3Command
{
    private static readonly StlsCommand Instance = new();

    public static ParseResult Parse(string arguments) => arguments.Length > 0 ? "-ERR STLS takes no arguments." : Instance;

    public override async ValueTask<Pop3Response> ExecuteAsync(Pop3Session session, CancellationToken cancellationToken)
    {
        if (session.Security.IsTls)
        {
            return "-ERR TLS is already active.";
        }

        if (!session.CanStartTls)
        {
            return "-ERR STLS is not available on this port.";
        }

        return Pop3Response.Nothing(await session.UpgradeAsync(cancellationToken));
    }
}
