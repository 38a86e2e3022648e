using Groupware.Autoconfig;
using Groupware.CalDav;
using Groupware.Connections;
using Groupware.Imap;
using Groupware.Lmtp;
using Groupware.Pop3;
using Groupware.Sasl;
using Groupware.Rpc;
using Groupware.Server.Configuration;
using Groupware.Storage.Accounts;
using Groupware.Storage.Mail;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Groupware.Server.Hosting;

/// <summary>The composition root of the front-ends this build serves.</summary>
internal static class ProtocolRegistration
{
    /// <summary>The protocols registered below, by name (what <c>groupware config protocols</c> prints).</summary>
    public static IReadOnlyList<string> Implemented { get; } = ["autoconfig", "caldav", "imap", "lmtp", "pop3", "rpc", "sasl"];

    /// <summary>Registers every implemented front-end and what it needs.</summary>
    public static void AddImplementedProtocols(IServiceCollection services)
    {
        // The stores the mail front-ends share (TryAdd: each front-end may ask for them).
        services.TryAddSingleton<AccountStore>();
        services.TryAddSingleton(provider => provider.GetRequiredService<GroupwareOptions>().MailStore);
        services.TryAddSingleton<MailStore>();
        // One per node: its loop renews every POP3 maildrop lease the node holds (RFC 1939 §4).
        services.TryAddSingleton(new MaildropLeaseOptions());
        services.TryAddSingleton(provider => new MaildropLeases(provider.GetRequiredService<NpgsqlDataSource>(),
            provider.GetRequiredService<NodePolicy>().NodeName, provider.GetRequiredService<MaildropLeaseOptions>(),
            provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<MaildropLeases>>()));
        services.TryAddSingleton<MailChangeFeed>();
        services.TryAddSingleton<RecipientResolver>();

        // LMTP (RFC 2033): delivery into the mail store.
        services.TryAddSingleton(provider => provider.GetRequiredService<GroupwareOptions>().Mail);
        services.AddSingleton<LineProtocol, LmtpProtocol>();

        // POP3 (RFC 1939) with STLS and SASL: the maildrop of the INBOX.
        services.AddPop3();

        // IMAP (RFC 9051, RFC 3501) with STARTTLS and SASL: every mailbox; APPEND spools and limits as delivery does.
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<GroupwareOptions>();
            return options.Imap with { SpoolDirectory = options.Mail.SpoolDirectory, MaxMessageSize = options.Mail.MaxMessageSize };
        });
        services.AddImap();

        // CalDAV (RFC 4791) over HTTPS, and a clear-text listener that only redirects: the calendar store.
        services.AddCalDav();

        // The Dovecot authentication protocol for the MTA's SMTP AUTH (Postfix smtpd_sasl_type = dovecot).
        services.AddSasl();

        // Client set-up (Thunderbird autoconfig, Outlook Autodiscover, Apple profiles), offering only TLS.
        services.TryAddSingleton(provider => provider.GetRequiredService<GroupwareOptions>().ClientSetup);
        services.AddAutoconfig();

        // The MAPI-like RPC (groupware.rpc.v1) as gRPC on implicit TLS: the mail and calendar stores; uploads spool and limit as delivery does.
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<GroupwareOptions>();
            return options.Rpc with { SpoolDirectory = options.Mail.SpoolDirectory, MaxMessageSize = options.Mail.MaxMessageSize };
        });
        services.AddRpc();
    }
}
