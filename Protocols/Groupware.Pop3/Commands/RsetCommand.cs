using System.Globalization;

namespace Groupware.Pop3.Commands;

/// <summary>RSET (RFC 1939 §5): unmarks every message marked as deleted.</summary>
internal sealed record RsetCommand : Pop3Command
{
    private static readonly RsetCommand Instance = new();

    public static ParseResult Parse(string arguments) => Instance;

    public override ValueTask<Pop3Response> ExecuteAsync(Pop3Session session, CancellationToken cancellationToken)
    {
        session.Maildrop.Reset();
        return ValueTask.FromResult<Pop3Response>(string.Create(CultureInfo.InvariantCulture,
            $"+OK {session.Maildrop.LiveCount} messages ({session.Maildrop.LiveSize} octets)"));
    }
}
