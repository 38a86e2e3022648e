using System.Text;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MimeKit;

namespace Groupware.Tests.Imap;

/// <summary>
/// MailKit's ImapClient, a real client, through a whole workflow over STARTTLS and over implicit TLS:
/// folders with special uses, APPEND, FETCH of summaries and of single body parts, flags, SEARCH,
/// COPY, MOVE, EXPUNGE, and IDLE seeing a delivery made through LMTP.
/// </summary>
public sealed class ImapMailKitTests
{
    private static TestNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _node = await ImapFixture.StartSecureNodeAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    private static Task<ImapClient> ConnectAsync(string login, bool startTls = false) => ImapFixture.MailKitAsync(_node, login, startTls);

    [Test]
    public async Task Folders_have_one_special_use_each_and_can_be_created_renamed_and_deleted()
    {
        var login = await ImapFixture.CreateAccountAsync();
        using var client = await ConnectAsync(login, startTls: true);
        Assert.That(client.Capabilities.HasFlag(ImapCapabilities.SpecialUse) && client.Capabilities.HasFlag(ImapCapabilities.Move), Is.True);
        foreach (var use in new[] { SpecialFolder.Sent, SpecialFolder.Drafts, SpecialFolder.Trash, SpecialFolder.Junk, SpecialFolder.Archive })
        {
            Assert.That(client.GetFolder(use), Is.Not.Null, use.ToString());
        }

        var personal = client.GetFolder(client.PersonalNamespaces[0]);
        var projects = (await personal.CreateAsync("Projekte & Pläne", isMessageFolder: true))!;
        var child = (await projects.CreateAsync("2026", isMessageFolder: true))!;
        var names = (await personal.GetSubfoldersAsync()).Select(f => f.Name).ToList();
        Assert.That(names, Does.Contain("Projekte & Pläne"));
        await projects.RenameAsync(personal, "Archiv alt");
        var renamed = (await personal.GetSubfoldersAsync()).Single(f => f.Name == "Archiv alt");
        Assert.That((await renamed.GetSubfoldersAsync()).Select(f => f.Name), Is.EqualTo(new[] { "2026" }), "the child moved with it");
        await child.DeleteAsync();
        await renamed.DeleteAsync();
        Assert.That((await personal.GetSubfoldersAsync()).Select(f => f.Name), Has.None.StartsWith("Archiv alt"));
        await client.DisconnectAsync(true);
    }

    [Test]
    public async Task Append_fetch_parts_flag_search_copy_move_and_expunge()
    {
        var login = await ImapFixture.CreateAccountAsync();
        using var client = await ConnectAsync(login);
        var inbox = client.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadWrite);

        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Jürgen Müller", "juergen@example.test"));
        message.To.Add(new MailboxAddress("", $"{login}@example.test"));
        message.Subject = "Quarterly figures";
        var attachment = new MimePart("application", "pdf") { Content = new MimeContent(new MemoryStream(Enumerable.Range(0, 3000).Select(i => (byte)i).ToArray())), ContentTransferEncoding = ContentEncoding.Base64, FileName = "figures.pdf" };
        message.Body = new Multipart("mixed") { new TextPart("plain") { Text = "See attached, grüße." }, attachment };
        var uid = await inbox.AppendAsync(message, MessageFlags.Flagged);
        Assert.That(uid, Is.Not.Null);

        var summaries = await inbox.FetchAsync([uid!.Value], MessageSummaryItems.Envelope | MessageSummaryItems.BodyStructure | MessageSummaryItems.Flags | MessageSummaryItems.Size);
        var summary = summaries.Single();
        Assert.That(summary.Envelope!.Subject, Is.EqualTo("Quarterly figures"));
        Assert.That(summary.Envelope.From.Mailboxes.Single().Name, Is.EqualTo("Jürgen Müller"));
        Assert.That(summary.Flags!.Value.HasFlag(MessageFlags.Flagged), Is.True);
        Assert.That(summary.Attachments.Single().FileName, Is.EqualTo("figures.pdf"));

        var text = (TextPart)await inbox.GetBodyPartAsync(uid.Value, summary.TextBody!);
        Assert.That(text.Text.TrimEnd(), Is.EqualTo("See attached, grüße."));
        var pdf = (MimePart)await inbox.GetBodyPartAsync(uid.Value, summary.Attachments.Single());
        using var decoded = new MemoryStream();
        await pdf.Content!.DecodeToAsync(decoded);
        Assert.That(decoded.ToArray(), Is.EqualTo(Enumerable.Range(0, 3000).Select(i => (byte)i).ToArray()));

        Assert.That(await inbox.SearchAsync(SearchQuery.NotSeen), Is.EqualTo(new[] { uid.Value }));
        await inbox.AddFlagsAsync(uid.Value, MessageFlags.Seen, silent: false);
        Assert.That(await inbox.SearchAsync(SearchQuery.NotSeen), Is.Empty);
        Assert.That(await inbox.SearchAsync(SearchQuery.SubjectContains("quarterly")), Is.EqualTo(new[] { uid.Value }));
        Assert.That(await inbox.SearchAsync(SearchQuery.BodyContains("GRÜSSE").Or(SearchQuery.BodyContains("grüße"))), Is.EqualTo(new[] { uid.Value }));
        Assert.That(await inbox.SearchAsync(SearchQuery.FromContains("juergen")), Is.EqualTo(new[] { uid.Value }));

        var archive = client.GetFolder(SpecialFolder.Archive)!;
        var copied = await inbox.CopyToAsync(uid.Value, archive);
        Assert.That(copied, Is.Not.Null);
        var trash = client.GetFolder(SpecialFolder.Trash)!;
        var moved = await inbox.MoveToAsync(uid.Value, trash);
        Assert.That(moved, Is.Not.Null);
        Assert.That(inbox.Count, Is.Zero, "the move's EXPUNGE reached the client");

        await trash.OpenAsync(FolderAccess.ReadWrite);
        Assert.That(trash.Count, Is.EqualTo(1));
        await trash.AddFlagsAsync(0, MessageFlags.Deleted, silent: true);
        await trash.ExpungeAsync();
        Assert.That(trash.Count, Is.Zero);
        await archive.OpenAsync(FolderAccess.ReadOnly);
        Assert.That(archive.Count, Is.EqualTo(1), "the copy is still there");
        await client.DisconnectAsync(true);
    }

    [Test]
    public async Task IDLE_sees_a_delivery_and_a_flag_change_made_by_another_session()
    {
        var login = await ImapFixture.CreateAccountAsync();
        using var idler = await ConnectAsync(login);
        await idler.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var flagged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        idler.Inbox.CountChanged += (_, _) => arrived.TrySetResult();
        idler.Inbox.MessageFlagsChanged += (_, _) => flagged.TrySetResult();
        using var done = new CancellationTokenSource();
        var idle = idler.IdleAsync(done.Token);

        await ImapFixture.DeliverAsync(_node, login, ImapFixture.Message("while idle"));
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));

        using var other = await ConnectAsync(login);
        await other.Inbox.OpenAsync(FolderAccess.ReadWrite);
        await other.Inbox.AddFlagsAsync(0, MessageFlags.Flagged, silent: true);
        await flagged.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await done.CancelAsync();
        await idle;
        Assert.That(idler.Inbox.Count, Is.EqualTo(1));
        await idler.DisconnectAsync(true);
        await other.DisconnectAsync(true);
    }

    [Test]
    public async Task A_message_fetched_whole_is_the_octets_delivered()
    {
        var login = await ImapFixture.CreateAccountAsync();
        var body = string.Join("\r\n", Enumerable.Range(0, 2000).Select(i => $"line {i} of a longer message"));
        await ImapFixture.DeliverAsync(_node, login, ImapFixture.Message("long", body));
        using var client = await ConnectAsync(login);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        using var stream = new MemoryStream();
        var fetched = await client.Inbox.GetMessageAsync(0);
        await fetched.WriteToAsync(stream);
        var text = Encoding.UTF8.GetString(stream.ToArray());
        Assert.That(text, Does.Contain("line 1999 of a longer message"));
        Assert.That(fetched.Subject, Is.EqualTo("long"));
        await client.DisconnectAsync(true);
    }
}
