using System.Globalization;

namespace Groupware.Pop3.Commands;

/// <summary>STAT (RFC 1939 §5): the number and total size of the messages not marked as deleted.</summary>
internal sealed record StatCommand : Pop3Command
{
    private static readonly StatCommand Instance = new();

    public static ParseResult Parse(string arguments) => arguments.Length > 0 ? "-ERR STAT takes no arguments." : Instance;

    public override ValueTask<Pop3Response> ExecuteAsync(Pop3Session session, CancellationToken cancellationToken) =>
        ValueTask.FromResult<Pop3Response>(string.Create(CultureInfo.InvariantCulture,
            $"+OK {session.Maildrop.LiveCount} {session.Maildrop.LiveSize}"));
}
