using System.Diagnostics;
using Groupware.Imap;
using Groupware.Storage.Mail;

namespace Groupware.Tests.Imap;

/// <summary>
/// Sessions woken by one change share one read of the store, and a session never joins a read that
/// began before it heard of its change (that snapshot may predate the commit).
/// </summary>
[TestFixture]
public sealed class SharedChangeReadsTests
{
    private static readonly MailboxChanges Changes = new(5, 9, [], [new MessageState(4, 9, SystemFlags.None, [])], []);

    [Test]
    public async Task Sessions_woken_before_a_read_began_share_it()
    {
        var reads = 0;
        var answer = new TaskCompletionSource<MailboxChanges?>();
        var shared = new SharedChangeReads((_, _, _, _) =>
        {
            Interlocked.Increment(ref reads);
            return answer.Task;
        });
        var heardAt = Stopwatch.GetTimestamp();
        var first = shared.ChangesSinceAsync(1, 7, 8, heardAt, CancellationToken.None);
        var second = shared.ChangesSinceAsync(1, 7, 8, heardAt, CancellationToken.None);
        var otherMailbox = shared.ChangesSinceAsync(1, 6, 8, heardAt, CancellationToken.None);
        answer.SetResult(Changes);

        Assert.Multiple(async () =>
        {
            Assert.That(await first, Is.SameAs(Changes));
            Assert.That(await second, Is.SameAs(Changes));
            Assert.That(await otherMailbox, Is.SameAs(Changes));
            Assert.That(reads, Is.EqualTo(2), "one read for mailbox 7, one for mailbox 6");
        });
    }

    [Test]
    public async Task A_session_that_heard_of_its_change_after_a_read_began_reads_again()
    {
        var answers = new List<TaskCompletionSource<MailboxChanges?>>();
        var shared = new SharedChangeReads((_, _, _, _) =>
        {
            var answer = new TaskCompletionSource<MailboxChanges?>();
            lock (answers)
            {
                answers.Add(answer);
            }

            return answer.Task;
        });
        var early = shared.ChangesSinceAsync(1, 7, 8, Stopwatch.GetTimestamp(), CancellationToken.None);
        await WaitForAsync(() => answers.Count == 1);
        await Task.Delay(1);
        var late = shared.ChangesSinceAsync(1, 7, 8, Stopwatch.GetTimestamp(), CancellationToken.None);
        await WaitForAsync(() => answers.Count == 2);
        var newer = Changes with { HighestModSeq = 10 };
        answers[1].SetResult(newer);
        answers[0].SetResult(Changes);

        Assert.Multiple(async () =>
        {
            Assert.That(await early, Is.SameAs(Changes));
            Assert.That(await late, Is.SameAs(newer));
        });
        await WaitForAsync(() => shared.Running == 0);
    }

    [Test]
    public async Task A_caller_that_gives_up_leaves_the_read_to_the_others()
    {
        var answer = new TaskCompletionSource<MailboxChanges?>();
        var shared = new SharedChangeReads((_, _, _, _) => answer.Task);
        var heardAt = Stopwatch.GetTimestamp();
        using var cancel = new CancellationTokenSource();
        var leaving = shared.ChangesSinceAsync(1, 7, 8, heardAt, cancel.Token);
        var staying = shared.ChangesSinceAsync(1, 7, 8, heardAt, CancellationToken.None);
        await cancel.CancelAsync();
        answer.SetResult(Changes);

        Assert.Multiple(async () =>
        {
            Assert.That(async () => await leaving, Throws.InstanceOf<OperationCanceledException>());
            Assert.That(await staying, Is.SameAs(Changes));
        });
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.That(deadline.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "condition not reached");
            await Task.Delay(5);
        }
    }
}
