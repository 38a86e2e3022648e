using System.Diagnostics;
using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using Groupware.Auth;
using Groupware.Auth.Passwords;
using Groupware.Connections;
using Groupware.Storage;
using Groupware.Storage.Accounts;
using Groupware.Storage.Migrations;
using Groupware.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Groupware.Benchmarks;

/// <summary>
/// <c>auth-verify</c>: how many passwords a node verifies per second, one client after another:
/// the Argon2id computation alone with the default parameters, by libsodium (what a node runs) and by
/// BouncyCastle (what it falls back to for parameters libsodium does not take), then whole logins
/// through <see cref="AuthService"/> (account lookup in PostgreSQL, verification, audit record) with
/// the verification cache off and on. The ratio is what the cache buys a client that logs in again
/// and again. Medians of several runs on the run's own database.
/// </summary>
internal sealed class AuthVerifyBenchmark : IBenchmark
{
    private const int Runs = 5;
    private const string Password = "correct horse battery staple";

    public string Name => "auth-verify";

    public string Description =>
        "Password verifications per second: Argon2id alone by libsodium and by BouncyCastle, and AuthService logins with and without the cache";

    public async Task<int> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var options = new AuthOptions();
        var hasher = new PasswordHasher(options);
        var hash = hasher.Hash(Password);
        if (!Argon2idHash.TryParse(hash["{ARGON2ID}".Length..], out var argon2) || argon2.Implementation != Argon2idImplementation.Libsodium)
        {
            throw new InvalidOperationException("a hash with the default parameters is not computed by libsodium");
        }

        Console.WriteLine($"Argon2id m={options.Argon2MemoryKiB} KiB, t={options.Argon2Iterations}, p={options.Argon2Parallelism}; " +
            $"{Environment.ProcessorCount} cores; medians of {Runs} runs");

        var (sodium, bouncyCastle, ratio) = CompareImplementations(argon2);
        Console.WriteLine($"  Argon2id verification, libsodium:    {Measure.Format(sodium),10} /s  ({Measure.Format(1000 / sodium)} ms each)");
        Console.WriteLine($"  Argon2id verification, BouncyCastle: {Measure.Format(bouncyCastle),10} /s  ({Measure.Format(1000 / bouncyCastle)} ms each)");
        Console.WriteLine($"  libsodium / BouncyCastle:            {Measure.Format(ratio),10} x");

        await TestDatabase.CreateRunDatabaseAsync();
        try
        {
            var uncached = await LoginsPerSecondAsync(new AuthOptions { CacheLifetimeSeconds = 0 }, 20, cancellationToken);
            Console.WriteLine($"  AuthService login, cache off:        {Measure.Format(uncached),10} /s");
            var cached = await LoginsPerSecondAsync(new AuthOptions(), 1000, cancellationToken);
            Console.WriteLine($"  AuthService login, cache on (hit):   {Measure.Format(cached),10} /s");
            Console.WriteLine($"  cache on / cache off:                {Measure.Format(cached / uncached),10} x");
        }
        finally
        {
            await TestDatabase.DropRunDatabaseAsync();
        }

        return 0;
    }

    /// <summary>
    /// Verifications per second of <paramref name="hash"/> by libsodium and by BouncyCastle, and their
    /// ratio: medians of runs that alternate the two, so that load from elsewhere on the machine weighs
    /// on both alike and on each run's ratio.
    /// </summary>
    private static (double Libsodium, double BouncyCastle, double Ratio) CompareImplementations(Argon2idHash hash)
    {
        // About a second each per run: libsodium takes some 15 ms a verification, BouncyCastle 80.
        const int sodiumCount = 60, bouncyCastleCount = 12;

        // A shorter warm-up of each: libsodium loaded and initialised, BouncyCastle's code compiled.
        VerificationsPerSecond(hash, Argon2idImplementation.Libsodium, sodiumCount / 4);
        VerificationsPerSecond(hash, Argon2idImplementation.BouncyCastle, bouncyCastleCount / 4);
        var sodium = new List<double>();
        var bouncyCastle = new List<double>();
        var ratios = new List<double>();
        for (var run = 0; run < Runs; run++)
        {
            sodium.Add(VerificationsPerSecond(hash, Argon2idImplementation.Libsodium, sodiumCount));
            bouncyCastle.Add(VerificationsPerSecond(hash, Argon2idImplementation.BouncyCastle, bouncyCastleCount));
            ratios.Add(sodium[^1] / bouncyCastle[^1]);
        }

        return (Measure.Median(sodium), Measure.Median(bouncyCastle), Measure.Median(ratios));
    }

    /// <summary>Verifications per second of <paramref name="hash"/> by <paramref name="implementation"/>, <paramref name="count"/> in a row.</summary>
    private static double VerificationsPerSecond(Argon2idHash hash, Argon2idImplementation implementation, int count)
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var tag = Argon2idHash.Compute(implementation, Password, hash.MemoryKiB, hash.Iterations, hash.Parallelism, hash.Salt, hash.Hash.Length);
            if (!CryptographicOperations.FixedTimeEquals(tag, hash.Hash))
            {
                throw new InvalidOperationException($"{implementation} did not verify the hash");
            }
        }

        return count / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Logins per second of one client logging in <paramref name="logins"/> times in a row, over a started auth module.</summary>
    private static async Task<double> LoginsPerSecondAsync(AuthOptions options, int logins, CancellationToken cancellationToken)
    {
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddMetrics()
            .AddSingleton<GroupwareMetrics>()
            .AddSingleton(_ => Database.CreateDataSource(TestDatabase.ConnectionString, "bench1"))
            .AddGroupwareAuth(options)
            .BuildServiceProvider();
        await new Migrator(services.GetRequiredService<Npgsql.NpgsqlDataSource>(), NullLogger<Migrator>.Instance).MigrateAsync(cancellationToken);
        var hosted = services.GetServices<IHostedService>().ToList();
        foreach (var service in hosted)
        {
            await service.StartAsync(cancellationToken);
        }

        try
        {
            var login = $"bench-{Guid.NewGuid():N}"[..20];
            await services.GetRequiredService<AccountStore>().CreateAsync(
                new NewAccount(login, $"{login}@example.test", [], services.GetRequiredService<PasswordHasher>().Hash(Password)), cancellationToken);
            var auth = services.GetRequiredService<AuthService>();
            var security = new ConnectionSecurity(true, SslProtocols.Tls13, null, new IPEndPoint(IPAddress.Loopback, 40000),
                new IPEndPoint(IPAddress.Loopback, 993), "imaps", "imap", TlsMode.Implicit, NodePolicy.Secure("bench1"));
            var request = new AuthRequest(login, Password, "PLAIN");
            return await Measure.MedianAsync(Runs, () => Measure.RateAsync(logins, async () =>
            {
                for (var i = 0; i < logins; i++)
                {
                    if ((await auth.AuthenticateAsync(request, security, cancellationToken)).Outcome != AuthOutcome.Success)
                    {
                        throw new InvalidOperationException("the login failed");
                    }
                }
            }));
        }
        finally
        {
            foreach (var service in Enumerable.Reverse(hosted))
            {
                await service.StopAsync(cancellationToken);
            }
        }
    }
}
