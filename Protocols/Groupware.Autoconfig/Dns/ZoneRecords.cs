using System.Globalization;

namespace Groupware.Autoconfig.Dns;

/// <summary>Which node a record points clients at.</summary>
public enum NodeRole
{
    Secure,
    Legacy,
}

/// <summary>One line of a zone file (RFC 1035 §5.1 master file format), or a comment when <see cref="Type"/> is null.</summary>
public sealed record ZoneRecord(string Name, string? Type, string Data, NodeRole Node, string Note)
{
    public const int Ttl = 3600;

    public override string ToString() => Type is null
        ? $"; {Note}"
        : $"{Name,-34} {Ttl} IN {Type,-5} {Data,-40} ; {(Node == NodeRole.Secure ? "secure node" : "legacy node")}: {Note}";
}

/// <summary>
/// The DNS records an operator publishes for a mail domain: SRV records of RFC 6186 §3 for implicit TLS first
/// (RFC 8314 §5.1: <c>_submissions</c>, <c>_imaps</c>, <c>_pop3s</c> at a lower, preferred priority) and the
/// STARTTLS ports after them; CalDAV's RFC 6764 §3 <c>_caldavs</c> SRV with its §4 TXT path, and <c>_caldav</c>
/// published as "not offered" (RFC 2782's target "."), so that no client is pointed at clear-text HTTP; the
/// <c>autoconfig</c> and <c>autodiscover</c> names and Outlook's <c>_autodiscover</c> SRV; and hints for
/// MTA-STS (RFC 8461 §3.1) and TLS reporting (RFC 8460 §3). The legacy node gets no SRV record at all: nothing
/// that discovers servers should ever find the node that allows clear text.
/// </summary>
public static class ZoneRecords
{
    public static IReadOnlyList<ZoneRecord> For(ClientSetupOptions options, string domain, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        var zone = Absolute(domain);
        var host = Absolute(options.HostName);
        var submission = Absolute(options.SubmissionHost);
        string Srv(int priority, int port, string target) => $"{priority} 1 {port} {target}";
        var records = new List<ZoneRecord>
        {
            new("", null, "", NodeRole.Secure, $"Mail and calendar set-up for {domain.TrimEnd('.')}: TLS only (RFC 8314)."),
            new($"_submissions._tcp.{zone}", "SRV", Srv(0, options.SubmissionPort, submission), NodeRole.Secure,
                "submission over implicit TLS (RFC 8314 §5.1)"),
            new($"_submission._tcp.{zone}", "SRV", Srv(10, options.SubmissionStartTlsPort, submission), NodeRole.Secure,
                "submission, STARTTLS required before AUTH (RFC 6186 §3.1)"),
            new($"_imaps._tcp.{zone}", "SRV", Srv(0, options.ImapPort, host), NodeRole.Secure, "IMAP over implicit TLS (RFC 6186 §3.2)"),
            new($"_imap._tcp.{zone}", "SRV", Srv(10, options.ImapStartTlsPort, host), NodeRole.Secure,
                "IMAP, STARTTLS required before LOGIN (RFC 6186 §3.2)"),
            new($"_pop3s._tcp.{zone}", "SRV", Srv(20, options.Pop3Port, host), NodeRole.Secure,
                "POP3 over implicit TLS, after IMAP (RFC 6186 §3.3)"),
            new($"_pop3._tcp.{zone}", "SRV", Srv(30, options.Pop3StartTlsPort, host), NodeRole.Secure,
                "POP3, STLS required before USER (RFC 6186 §3.3)"),
            new($"_caldavs._tcp.{zone}", "SRV", Srv(0, options.CalDavPort, host), NodeRole.Secure, "CalDAV over HTTPS (RFC 6764 §3)"),
            new($"_caldavs._tcp.{zone}", "TXT", "\"path=/\"", NodeRole.Secure, "context path (RFC 6764 §4)"),
            new($"_caldav._tcp.{zone}", "SRV", "0 0 0 .", NodeRole.Secure, "clear-text CalDAV not offered (RFC 6764 §3, RFC 2782)"),
            new($"autoconfig.{zone}", "CNAME", host, NodeRole.Secure, "Thunderbird autoconfig (/mail/config-v1.1.xml on the autoconfig listener)"),
            new($"autodiscover.{zone}", "CNAME", host, NodeRole.Secure, "Outlook Autodiscover (POX and JSON v2 on the caldav listener, HTTPS)"),
            new($"_autodiscover._tcp.{zone}", "SRV", Srv(0, options.CalDavPort, host), NodeRole.Secure,
                "Outlook Autodiscover when autodiscover.DOMAIN has no certificate ([MS-OXDSCLI] §3.1.5.2)"),
            new("", null, "", NodeRole.Secure,
                "MTA-STS (RFC 8461 §3.1): serve https://mta-sts." + domain.TrimEnd('.') + "/.well-known/mta-sts.txt with"
                + $" \"version: STSv1\\nmode: testing\\nmx: {options.SubmissionHost}\\nmax_age: 604800\", then mode: enforce"),
            new($"_mta-sts.{zone}", "TXT", $"\"v=STSv1; id={now.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)}\"",
                NodeRole.Secure, "MTA-STS policy id; change it with every policy change (RFC 8461 §3.1)"),
            new($"mta-sts.{zone}", "CNAME", host, NodeRole.Secure, "host of the MTA-STS policy (needs a certificate for this name)"),
            new($"_smtp._tls.{zone}", "TXT", $"\"v=TLSRPTv1; rua=mailto:tls-reports@{domain.TrimEnd('.')}\"", NodeRole.Secure,
                "TLS reporting (RFC 8460 §3)"),
        };

        if (options.LegacyHostName is { } legacy)
        {
            records.Add(new ZoneRecord("", null, "", NodeRole.Legacy,
                $"legacy node {legacy}: give it an A/AAAA record of its own and nothing else; it is absent from every SRV record, "
                + "autoconfig answer and MTA-STS policy on purpose, so that no client discovers the node that allows clear text"));
            records.Add(new ZoneRecord(Absolute(legacy), "TXT", "\"legacy node: clear-text logins for accounts flagged legacy-device\"",
                NodeRole.Legacy, "a label for people reading the zone; devices are configured by hand"));
        }
        else
        {
            records.Add(new ZoneRecord("", null, "", NodeRole.Legacy,
                "no legacy node is configured (ClientSetup:LegacyHostName): no record names one"));
        }

        return records;
    }

    private static string Absolute(string name) => name.EndsWith('.') ? name : name + ".";
}
