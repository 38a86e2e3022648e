using Microsoft.Extensions.DependencyInjection;

namespace Groupware.Server.Hosting;

/// <summary>The composition root of the front-ends this build serves.</summary>
internal static class ProtocolRegistration
{
    /// <summary>The protocols registered below, by name (what <c>groupware config protocols</c> prints).</summary>
    public static IReadOnlyList<string> Implemented { get; } = [];

    /// <summary>Registers every implemented front-end and what it needs.</summary>
    public static void AddImplementedProtocols(IServiceCollection services)
    {
        _ = services;
    }
}
