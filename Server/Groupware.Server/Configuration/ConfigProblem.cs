namespace Groupware.Server.Configuration;

/// <summary>One thing wrong with the configuration, naming the key (<c>Listeners:imaps:Tls</c>) it concerns.</summary>
internal sealed record ConfigProblem(string Key, string Message, bool IsWarning = false)
{
    public override string ToString() => $"{Key}: {Message}";
}
