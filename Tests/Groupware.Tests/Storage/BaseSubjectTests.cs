using Groupware.Storage.Mail;

namespace Groupware.Tests.Storage;

/// <summary>The base subject of RFC 5256 §2.1, step by step, and which artifacts mark a reply or forward (§3).</summary>
public sealed class BaseSubjectTests
{
    [TestCase("Re: foo", "FOO", true, Description = "(3) subj-refwd")]
    [TestCase("RE:foo", "FOO", true)]
    [TestCase("re : foo", "FOO", true, Description = "*WSP before the colon")]
    [TestCase("Fw: foo", "FOO", true)]
    [TestCase("FWD: Re: Fwd: foo", "FOO", true, Description = "(5) repeated")]
    [TestCase("Re[2]: foo", "FOO", true, Description = "a blob inside subj-refwd")]
    [TestCase("[PATCH] Re: foo", "FOO", true, Description = "blobs before subj-refwd are part of the leader")]
    [TestCase("[list] foo", "FOO", false, Description = "(4) a leading blob that leaves a base")]
    [TestCase("[a][b] c", "C", false)]
    [TestCase("[list]", "[LIST]", false, Description = "(4) not when nothing would be left")]
    [TestCase("[a] [b]", "[B]", false, Description = "the last blob is the base")]
    [TestCase("foo (fwd)", "FOO", true, Description = "(2) subj-trailer")]
    [TestCase("foo (FWD) (fwd)  ", "FOO", true)]
    [TestCase("[fwd: foo]", "FOO", true, Description = "(6) subj-fwd-hdr and subj-fwd-trl")]
    [TestCase("[Fwd: Re: foo (fwd)]", "FOO", true, Description = "(6) then again from (2)")]
    [TestCase("  foo \t\r\n bar  ", "FOO BAR", false, Description = "(1) white space collapsed")]
    [TestCase("Reply: foo", "REPLY: FOO", false, Description = "re must be followed by : (after blanks or a blob)")]
    [TestCase("Re:", "", true)]
    [TestCase("", "", false)]
    [TestCase("Überweisung", "ÜBERWEISUNG", false, Description = "case-folded beyond ASCII")]
    public void Extraction_follows_the_steps_of_RFC_5256(string subject, string expected, bool replyOrForward) =>
        Assert.That(BaseSubject.Of(subject), Is.EqualTo(new BaseSubject(expected, replyOrForward)));

    [Test]
    public void A_message_without_a_subject_has_the_empty_base_subject() =>
        Assert.That(BaseSubject.Of(null), Is.EqualTo(new BaseSubject("", false)));

    [TestCase("<01KF8JCEOCBS0045PS@xxx.yyy.com>", "01KF8JCEOCBS0045PS@xxx.yyy.com")]
    [TestCase("<\"01KF8JCEOCBS0045PS\"@xxx.yyy.com>", "01KF8JCEOCBS0045PS@xxx.yyy.com", Description = "RFC 5256 §3's own example")]
    [TestCase("  abc@example.test ", "abc@example.test")]
    [TestCase("<>", null)]
    public void Message_IDs_are_normalised_before_they_are_compared(string id, string? expected) =>
        Assert.That(MessageIds.Normalize(id), Is.EqualTo(expected));
}
