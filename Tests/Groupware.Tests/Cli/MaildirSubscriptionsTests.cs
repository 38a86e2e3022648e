using Groupware.Server.Import;

namespace Groupware.Tests.Cli;

/// <summary>Dovecot's <c>subscriptions</c> file in both versions, read against the folders a Maildir++ has.</summary>
public sealed class MaildirSubscriptionsTests
{
    private string _root = null!;

    [SetUp]
    public void CreateRoot() => _root = Directory.CreateTempSubdirectory("gwtest-subscriptions-").FullName;

    [TearDown]
    public void RemoveRoot() => Directory.Delete(_root, recursive: true);

    [Test]
    public void Version_1_names_with_the_Maildir_separator_are_matched_to_folders_also_when_they_are_modified_UTF_7()
    {
        // "Entw&APw-rfe.2024" is the folder .Entw&APw-rfe.2024, that is Entwürfe/2024.
        File.WriteAllText(Path.Combine(_root, "subscriptions"), "Projects.2024\nEntw&APw-rfe.2024\nGone\n");
        var names = Maildir.ReadSubscriptions(_root, ["INBOX", "Projects/2024", "Entwürfe/2024"]);
        Assert.That(names, Is.EqualTo(new[] { "Projects/2024", "Entwürfe/2024", "Gone" }));
    }

    [Test]
    public void Version_2_separates_levels_with_a_tab()
    {
        File.WriteAllText(Path.Combine(_root, "subscriptions"), "V\t2\n\nProjects\t2024\nEntw&APw-rfe\n");
        Assert.That(Maildir.ReadSubscriptions(_root, []), Is.EqualTo(new[] { "Projects/2024", "Entwürfe" }));
    }
}
