namespace Groupware.Sasl.Commands;

/// <summary>One parsed command of an authentication client, ready to run.</summary>
internal abstract class SaslCommand
{
    public abstract ValueTask<SaslResponse> ExecuteAsync(SaslSession session, CancellationToken cancellationToken);
}

/// <summary>A parsed command, or the response that refuses the line.</summary>
internal sealed record ParseResult(SaslCommand? Command, SaslResponse? Refusal)
{
    public static implicit operator ParseResult(SaslCommand command) => new(command, null);

    public static implicit operator ParseResult(SaslResponse refusal) => new(null, refusal);
}
