using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Groupware.Auth;
using Groupware.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace Groupware.Tests.Auth;

/// <summary>groupware.logins counts attempts by protocol and outcome; groupware.plaintext.credentials.refused counts exposed refusals by protocol and listener.</summary>
public sealed class AuthMetricsTests
{
    [Test]
    public async Task Logins_and_refused_clear_text_passwords_are_counted_with_their_tags()
    {
        await using var node = await AuthFixtures.StartNodeAsync(n => n.Set("Auth:FailureDelayMilliseconds", "0"));
        var metrics = node.Services.GetRequiredService<GroupwareMetrics>();
        var measured = new ConcurrentQueue<(string Instrument, long Value, Dictionary<string, string?> Tags)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == metrics.Meter)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            measured.Enqueue((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value?.ToString()))));
        listener.Start();

        var auth = node.Services.GetRequiredService<AuthService>();
        var policy = node.Services.GetRequiredService<NodePolicy>();
        var login = AuthFixtures.UniqueLogin("metered");
        await AuthFixtures.CreateAccountAsync(node.Services, login, "right");
        await auth.AuthenticateAsync(new AuthRequest(login, "right", "LOGIN-COMMAND"),
            AuthFixtures.Security(policy, tls: true, listener: "imaps", protocol: "imap"), CancellationToken.None);
        await auth.AuthenticateAsync(new AuthRequest(login, "wrong", "LOGIN-COMMAND"),
            AuthFixtures.Security(policy, tls: true, listener: "imaps", protocol: "imap"), CancellationToken.None);
        await auth.AuthenticateAsync(new AuthRequest(login, "right", "LOGIN-COMMAND"),
            AuthFixtures.Security(policy, tls: false, listener: "imap", protocol: "imap"), CancellationToken.None);

        var logins = measured.Where(m => m.Instrument == "groupware.logins").Select(m => (m.Tags["protocol"], m.Tags["outcome"])).ToList();
        Assert.That(logins, Is.EqualTo(new[] { ("imap", "success"), ("imap", "invalid-credentials"), ("imap", "plaintext-refused") }));
        var refused = measured.Where(m => m.Instrument == "groupware.plaintext.credentials.refused").ToList();
        Assert.That(refused, Has.Count.EqualTo(1));
        Assert.That(refused[0].Tags, Is.EquivalentTo(new Dictionary<string, string?> { ["protocol"] = "imap", ["listener"] = "imap" }));
    }
}
