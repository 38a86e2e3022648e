using Groupware.Auth;
using Groupware.Server.Configuration;
using Groupware.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace Groupware.Tests.Configuration;

/// <summary>The Auth section: every key read, defaults kept, out-of-bounds values and unknown keys named by key.</summary>
public sealed class AuthConfigTests
{
    private static (GroupwareOptions? Options, IReadOnlyList<ConfigProblem> Problems) Read(params (string Key, string Value)[] auth)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Node:Name"] = "auth1",
            ["Database:ConnectionString"] = "Host=/var/run/postgresql;Database=groupware;Username=groupware",
        };
        foreach (var (key, value) in auth)
        {
            settings[$"Auth:{key}"] = value;
        }

        var problems = ConfigReader.Read(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), ProtocolCatalog.Default, out var options);
        return (options, problems.Where(p => !p.IsWarning).ToList());
    }

    [Test]
    public void Without_an_Auth_section_every_default_applies()
    {
        var (options, problems) = Read();
        Assert.That(problems, Is.Empty);
        Assert.That(options!.Auth, Is.EqualTo(new AuthOptions()));
        Assert.That((options.Auth.Argon2MemoryKiB, options.Auth.Argon2Iterations, options.Auth.Argon2Parallelism), Is.EqualTo((19456, 2, 1)));
        Assert.That((options.Auth.FailureDelayMilliseconds, options.Auth.MaxFailureDelayMilliseconds), Is.EqualTo((2000, 15000)));
    }

    [Test]
    public void Every_key_is_read()
    {
        var (options, problems) = Read(("Argon2MemoryKiB", "65536"), ("Argon2Iterations", "3"), ("Argon2Parallelism", "2"),
            ("MaxConcurrentVerifications", "8"), ("FailureDelayMilliseconds", "500"), ("MaxFailureDelayMilliseconds", "4000"),
            ("FailureMemorySeconds", "60"), ("MaxTrackedClients", "1000"), ("BlockThreshold", "10"), ("BlockWindowMinutes", "15"),
            ("BlockDurationMinutes", "60"), ("BlockRefreshSeconds", "30"), ("IPv6PrefixLength", "56"), ("CacheLifetimeSeconds", "0"),
            ("CacheMaxEntries", "5"), ("AuditRetentionDays", "365"), ("AuditQueueCapacity", "100"));
        Assert.That(problems, Is.Empty);
        Assert.That(options!.Auth, Is.EqualTo(new AuthOptions
        {
            Argon2MemoryKiB = 65536, Argon2Iterations = 3, Argon2Parallelism = 2, MaxConcurrentVerifications = 8,
            FailureDelayMilliseconds = 500, MaxFailureDelayMilliseconds = 4000, FailureMemorySeconds = 60, MaxTrackedClients = 1000,
            BlockThreshold = 10, BlockWindowMinutes = 15, BlockDurationMinutes = 60, BlockRefreshSeconds = 30, IPv6PrefixLength = 56,
            CacheLifetimeSeconds = 0, CacheMaxEntries = 5, AuditRetentionDays = 365, AuditQueueCapacity = 100,
        }));
    }

    [Test]
    public void Values_out_of_bounds_are_named_with_their_key()
    {
        var (options, problems) = Read(("Argon2Parallelism", "4"), ("Argon2MemoryKiB", "16"), ("IPv6PrefixLength", "129"),
            ("FailureDelayMilliseconds", "3000"), ("MaxFailureDelayMilliseconds", "1000"), ("BlockThreshold", "many"));
        Assert.That(options, Is.Null);
        Assert.That(problems.Select(p => p.ToString()), Is.SupersetOf(new[]
        {
            "Auth:Argon2MemoryKiB: \"16\" is not a whole number from 32 to 4194304",
            "Auth:IPv6PrefixLength: \"129\" is not a whole number from 1 to 128",
            "Auth:MaxFailureDelayMilliseconds: \"1000\" is not a whole number from 3000 to 600000",
            "Auth:BlockThreshold: \"many\" is not a whole number from 1 to 2147483647",
        }));
    }

    [Test]
    public void An_unknown_Auth_key_is_an_error()
    {
        var (_, problems) = Read(("BlockTreshold", "5"));
        Assert.That(problems.Select(p => p.ToString()), Has.Some.StartWith("Auth:BlockTreshold: is not a known key"));
    }
}
