namespace Groupware.Pop3.Commands;

/// <summary>NOOP (RFC 1939 §5).</summary>
internal sealed record NoopCommand : Pop3Command
{
    private static readonly NoopCommand Instance = new();

    public static ParseResult Parse(string arguments) => Instance;

    public override ValueTask<Pop3Response> ExecuteAsync(Pop3Session session, CancellationToken cancellationToken) =>
        ValueTask.FromResult<Pop3Response>("+OK");
}
