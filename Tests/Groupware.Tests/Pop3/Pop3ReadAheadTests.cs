using System.Globalization;
using System.Text;

namespace Groupware.Tests.Pop3;

/// <summary>
/// RETR reads small messages ahead in one query (Pop3Session.OpenAsync): whatever the order of
/// the RETRs and the mix of small and large messages, each answer is that message, whole.
/// </summary>
public sealed class Pop3ReadAheadTests
{
    private static TestNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _node = await Pop3Fixture.StartSecureNodeAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    [TestCase(new[] { 1, 2, 3, 4, 5, 6 })]
    [TestCase(new[] { 6, 5, 4, 3, 2, 1 })]
    [TestCase(new[] { 2, 4, 1, 3, 6, 5, 1 })]
    public async Task Every_RETR_answers_its_own_message_whole(int[] order)
    {
        var login = await Pop3Fixture.CreateAccountAsync();
        // Small ones around a 300 KB one (two chunks in the store, never read ahead).
        var bodies = new[] { "one", "two", new string('x', 76) + "\r\n", "four", "five", "six" };
        for (var i = 0; i < bodies.Length; i++)
        {
            var body = i == 2 ? string.Concat(Enumerable.Repeat(bodies[2], 4000)) : bodies[i];
            await Pop3Fixture.DeliverAsync(_node, login, Pop3Fixture.Message($"message {i + 1}", body));
        }

        await using var client = await Pop3Fixture.LogInOverStlsAsync(_node, login);
        await client.SendLineAsync("DELE 5");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("+OK"));
        await client.SendLineAsync("LIST");
        await client.ReadLineAsync();
        var sizes = (await Pop3Fixture.ReadMultiLineAsync(client)).ToDictionary(
            l => int.Parse(l.Split(' ')[0], CultureInfo.InvariantCulture), l => long.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture));

        foreach (var number in order)
        {
            await client.SendLineAsync($"RETR {number}");
            var status = await client.ReadLineAsync();
            if (number == 5)
            {
                Assert.That(status, Is.EqualTo("-ERR Message 5 is already deleted."));
                continue;
            }

            Assert.That(status, Is.EqualTo($"+OK {sizes[number]} octets"), $"RETR {number}");
            var lines = await Pop3Fixture.ReadMultiLineAsync(client);
            Assert.That(lines, Does.Contain($"Subject: message {number}"), $"RETR {number}");
            Assert.That(Encoding.UTF8.GetByteCount(string.Join("\r\n", lines) + "\r\n"), Is.EqualTo(sizes[number]), $"RETR {number} is whole");
        }
    }
}
