using Groupware.Auth.Audit;
using Groupware.Auth.Passwords;
using Groupware.Auth.Throttling;
using Groupware.Connections;
using Groupware.Storage;
using Groupware.Storage.Accounts;
using Groupware.Storage.Auth;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Groupware.Auth;

/// <summary>Registers the auth module in a node's services.</summary>
public static class AuthServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="AuthService"/> and what it needs as singletons, with the
    /// <see cref="AuthOptions"/> already registered (defaults otherwise), and the two background
    /// services: the audit writer and the block list listener. Expects the node's
    /// <see cref="Npgsql.NpgsqlDataSource"/> and <see cref="GroupwareMetrics"/>. Calling it twice adds nothing.
    /// </summary>
    public static IServiceCollection AddGroupwareAuth(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(AuthService)))
        {
            return services;
        }

        services.TryAddSingleton(new AuthOptions());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DatabaseOutageLog>();
        services.TryAddSingleton<AccountStore>();
        services.TryAddSingleton<AuthAttemptStore>();
        services.TryAddSingleton<AuthBlockStore>();
        services.TryAddSingleton(sp => new PasswordHasher(sp.GetRequiredService<AuthOptions>()));
        services.AddSingleton(sp => new VerificationCache(sp.GetRequiredService<AuthOptions>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new FailurePenalties(sp.GetRequiredService<AuthOptions>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new BlockList(sp.GetRequiredService<AuthBlockStore>(), sp.GetRequiredService<AuthOptions>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<BlockList>>()));
        services.AddSingleton(sp => new AuthAuditLog(sp.GetRequiredService<AuthAttemptStore>(), sp.GetRequiredService<AuthBlockStore>(),
            sp.GetRequiredService<BlockList>(), sp.GetRequiredService<AuthOptions>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AuthAuditLog>>()));
        services.AddSingleton(sp => new VerificationGate(sp.GetRequiredService<AuthOptions>()));
        services.AddSingleton(sp => new ExposureChecks(sp.GetRequiredService<AccountStore>(), sp.GetRequiredService<PasswordHasher>(),
            sp.GetRequiredService<VerificationCache>(), sp.GetRequiredService<VerificationGate>(), sp.GetRequiredService<AuthAuditLog>(),
            sp.GetRequiredService<ILogger<ExposureChecks>>()));
        services.AddHostedService(sp => sp.GetRequiredService<BlockList>());
        services.AddHostedService(sp => sp.GetRequiredService<AuthAuditLog>());

        // Registered after the audit log, so it stops first and hands the audit log what is still queued.
        services.AddHostedService(sp => sp.GetRequiredService<ExposureChecks>());
        services.AddSingleton(sp => new AuthService(sp.GetRequiredService<AccountStore>(), sp.GetRequiredService<PasswordHasher>(),
            sp.GetRequiredService<VerificationCache>(), sp.GetRequiredService<FailurePenalties>(), sp.GetRequiredService<BlockList>(),
            sp.GetRequiredService<AuthAuditLog>(), sp.GetRequiredService<ExposureChecks>(), sp.GetRequiredService<VerificationGate>(),
            sp.GetRequiredService<GroupwareMetrics>(), sp.GetRequiredService<AuthOptions>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AuthService>>()));
        return services;
    }

    /// <summary>Registers <paramref name="options"/> and then the auth module as <see cref="AddGroupwareAuth(IServiceCollection)"/> does.</summary>
    public static IServiceCollection AddGroupwareAuth(this IServiceCollection services, AuthOptions options)
    {
        services.AddSingleton(options);
        return services.AddGroupwareAuth();
    }
}
