using System.Diagnostics.Metrics;
using Groupware.Connections;
using Groupware.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Groupware.Tests.Lmtp;

/// <summary>Each recipient's outcome is counted in <c>groupware.deliveries</c> with protocol=lmtp and its outcome.</summary>
public sealed class DeliveryMetricsTests : LmtpNodeTest
{
    [Test]
    public async Task Delivered_and_refused_recipients_are_counted_by_outcome()
    {
        var metrics = Node.Services.GetRequiredService<GroupwareMetrics>();
        var counted = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == metrics.Meter && instrument.Name == "groupware.deliveries")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var map = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                map[tag.Key] = tag.Value;
            }

            var key = $"{map["protocol"]}/{map["outcome"]}";
            lock (counted)
            {
                counted[key] = counted.GetValueOrDefault(key) + value;
            }
        });
        listener.Start();

        var account = await MailAccounts.CreateAsync(Data, "metrics");
        await using var client = await ConnectAndGreetAsync();
        await Transcript.PlayAsync(client, $"""
            C: MAIL FROM:<a@example.org>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<nobody@example.test>
            S: 550 5.1.1 *
            C: RCPT TO:<{account.PrimaryAddress}>
            S: 250 2.1.5 *
            C: DATA
            S: 354 *
            C: Subject: counted
            C:
            C: .
            S: 250 2.0.0 *
            """);

        lock (counted)
        {
            Assert.That(counted, Is.EquivalentTo(new Dictionary<string, long> { ["lmtp/refused"] = 1, ["lmtp/delivered"] = 1 }));
        }
    }
}
