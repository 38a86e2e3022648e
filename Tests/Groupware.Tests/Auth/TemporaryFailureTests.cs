using System.Diagnostics.Metrics;
using Groupware.Auth;
using Groupware.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace Groupware.Tests.Auth;

/// <summary>When the account store cannot be reached the answer is TemporaryFailure, and the clear-text rule still holds.</summary>
public sealed class TemporaryFailureTests
{
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    private const string Unreachable = "Host=127.0.0.1;Port=1;Username=groupware;Database=none;Timeout=2;Pooling=false";

    [Test]
    public async Task A_login_while_the_database_is_down_is_a_temporary_failure()
    {
        await using var services = AuthFixtures.UnstartedServices(Unreachable, new AuthOptions { FailureDelayMilliseconds = 0 });
        var metrics = services.GetRequiredService<GroupwareMetrics>();
        var outcomes = new List<string?>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == metrics.Meter && instrument.Name == "groupware.logins")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
            outcomes.Add(tags.ToArray().Single(t => t.Key == "outcome").Value?.ToString()));
        listener.Start();

        var auth = services.GetRequiredService<AuthService>();
        var result = await auth.AuthenticateAsync(new AuthRequest("alice", "secret", "PLAIN"),
            AuthFixtures.Security(NodePolicy.Secure("down"), tls: true), CancellationToken.None);
        Assert.That(result.Outcome, Is.EqualTo(AuthOutcome.TemporaryFailure));
        Assert.That(auth.PasswordChecks, Is.Zero);
        Assert.That(outcomes, Is.EqualTo(new[] { "temporary-failure" }), "counted like every other outcome");
    }

    [Test]
    public async Task A_clear_text_password_is_refused_on_a_secure_node_without_asking_the_database()
    {
        await using var services = AuthFixtures.UnstartedServices(Unreachable);
        var result = await services.GetRequiredService<AuthService>().AuthenticateAsync(new AuthRequest("alice", "secret", "USER"),
            AuthFixtures.Security(NodePolicy.Secure("down"), tls: false), CancellationToken.None);
        Assert.That(result.Outcome, Is.EqualTo(AuthOutcome.PlaintextRefused));
    }
}
