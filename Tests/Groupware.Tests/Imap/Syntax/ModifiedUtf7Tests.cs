using Groupware.Imap.Syntax;
using Groupware.Storage.Mail;

namespace Groupware.Tests.Imap.Syntax;

/// <summary>Modified UTF-7 (RFC 3501 §5.1.3, RFC 9051 Appendix A.1): the RFC's examples, round trips, and the strict refusals Dovecot makes.</summary>
public sealed class ModifiedUtf7Tests
{
    [TestCase("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-")]
    [TestCase("台北日本語", "&U,BTF2XlZyyKng-")]
    [TestCase("☺!", "&Jjo-!")]
    [TestCase("a&b", "a&-b")]
    [TestCase("&", "&-")]
    [TestCase("INBOX", "INBOX")]
    [TestCase("", "")]
    [TestCase("Entwürfe", "Entw&APw-rfe")]
    [TestCase("\u00e9\u00e9", "&AOkA6Q-")]
    [TestCase("😀", "&2D3eAA-")]
    public void Encodes_and_decodes_the_RFC_examples(string name, string encoded)
    {
        Assert.That(ModifiedUtf7.Encode(name), Is.EqualTo(encoded));
        Assert.That(ModifiedUtf7.TryDecode(encoded, out var decoded), Is.True);
        Assert.That(decoded, Is.EqualTo(name));
    }

    [TestCase("&Jjo!", Description = "RFC 3501: no shift back to US-ASCII before '!'")]
    [TestCase("&U,BTFw-&ZeVnLIqe-", Description = "RFC 3501: a superfluous shift")]
    [TestCase("&AGE-", Description = "printable ASCII 'a' encoded")]
    [TestCase("&AC0-", Description = "'-' encoded")]
    [TestCase("&-&AGE-", Description = "'a' encoded after '&'")]
    [TestCase("&", Description = "no shift back at the end")]
    [TestCase("&Jjo", Description = "no shift back at the end")]
    [TestCase("&-", Description = "not invalid: '&' itself")]
    [TestCase("&AAA-", Description = "an encoded NUL")]
    [TestCase("&2D0-", Description = "a lone high surrogate")]
    [TestCase("&3gA-", Description = "a lone low surrogate")]
    [TestCase("&Jjp-", Description = "bits left over that are not zero")]
    [TestCase("&J-", Description = "six bits: less than a character")]
    [TestCase("&Jj/-", Description = "'/' is not in the modified base64 alphabet")]
    [TestCase("caf\u00e9", Description = "8-bit text is not modified UTF-7")]
    [TestCase("tab\there", Description = "a control character")]
    public void Refuses_what_is_not_strictly_modified_UTF_7(string encoded)
    {
        var valid = encoded == "&-";
        Assert.That(ModifiedUtf7.TryDecode(encoded, out _), Is.EqualTo(valid));
    }

    [Test]
    public void Random_names_round_trip()
    {
        var random = new Random(3501);
        for (var run = 0; run < 2000; run++)
        {
            var chars = new List<char>();
            for (var i = random.Next(0, 12); i > 0; i--)
            {
                switch (random.Next(4))
                {
                    case 0:
                        chars.Add((char)random.Next(0x20, 0x7f));
                        break;
                    case 1:
                        chars.Add('&');
                        break;
                    case 2:
                        chars.Add((char)random.Next(0x80, 0xd800));
                        break;
                    default:
                        chars.AddRange(char.ConvertFromUtf32(random.Next(0x10000, 0x10ffff)));
                        break;
                }
            }

            var name = new string([.. chars]);
            var encoded = ModifiedUtf7.Encode(name);
            Assert.That(encoded.All(c => c is >= ' ' and <= '~'), Is.True, encoded);
            Assert.That(ModifiedUtf7.TryDecode(encoded, out var decoded), Is.True, encoded);
            Assert.That(decoded, Is.EqualTo(name), encoded);
        }
    }
}
