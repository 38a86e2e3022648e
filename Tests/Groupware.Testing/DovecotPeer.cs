using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Groupware.Testing;

/// <summary>How a <see cref="DovecotPeer"/> is configured.</summary>
public sealed record DovecotPeerOptions
{
    /// <summary>Dovecot's <c>disable_plaintext_auth</c>: refuse passwords without TLS (default yes).</summary>
    public bool DisablePlaintextAuth { get; init; } = true;

    /// <summary>Serve TLS (STARTTLS on the clear ports) with these PEM files; null for <c>ssl = no</c>.</summary>
    public TestCertificates? Certificates { get; init; }

    /// <summary>Users and their clear-text passwords (stored as Dovecot PLAIN in a passwd-file).</summary>
    public IReadOnlyDictionary<string, string> Users { get; init; } = new Dictionary<string, string> { ["probe"] = "secret" };

    /// <summary>The address every listener binds to.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>
    /// Start every user from the folders a new account of ours has: INBOX and Drafts, Sent, Trash,
    /// Junk and Archive with their SPECIAL-USE attributes (RFC 6154 §2), all subscribed, under
    /// <c>/</c> as the hierarchy separator. Off, Dovecot's defaults (INBOX only, separator <c>.</c>).
    /// </summary>
    public bool SpecialUseMailboxes { get; init; }

    /// <summary>
    /// More settings, appended to the configuration: global ones, or <c>service NAME { ... }</c> blocks,
    /// which Dovecot merges with the ones of the same name above (process and client limits, tuning).
    /// </summary>
    public string ExtraSettings { get; init; } = "";
}

/// <summary>
/// Debian's Dovecot (2.3) run from a private configuration in a temporary directory, on free
/// loopback ports: a real peer for interop tests and benchmarks. IMAP, POP3 and LMTP (no TLS on
/// LMTP); mail in Maildir under the directory, owned by the <c>dovecot</c> system user.
/// </summary>
public sealed class DovecotPeer : IAsyncDisposable
{
    private readonly Process _process;

    private DovecotPeer(string directory, Process process, int imapPort, int pop3Port, int lmtpPort, IPAddress address,
        int imapsPort = 0, int pop3sPort = 0)
    {
        Directory = directory;
        _process = process;
        Imap = new IPEndPoint(address, imapPort);
        Pop3 = new IPEndPoint(address, pop3Port);
        Lmtp = new IPEndPoint(address, lmtpPort);
        Imaps = imapsPort == 0 ? null : new IPEndPoint(address, imapsPort);
        Pop3s = pop3sPort == 0 ? null : new IPEndPoint(address, pop3sPort);
    }

    public string Directory { get; }

    public IPEndPoint Imap { get; }

    public IPEndPoint Pop3 { get; }

    public IPEndPoint Lmtp { get; }

    /// <summary>IMAP with implicit TLS (RFC 8314), when the peer has certificates.</summary>
    public IPEndPoint? Imaps { get; }

    /// <summary>POP3 with implicit TLS (RFC 8314), when the peer has certificates.</summary>
    public IPEndPoint? Pop3s { get; }

    /// <summary>The master process (<c>dovecot -F</c>); every other process of the peer is its child.</summary>
    public int Id => _process.Id;

    /// <summary>The master and its children now (login, mail, auth, hibernate ... processes), for measuring what the peer uses.</summary>
    public IReadOnlyList<int> ProcessIds()
    {
        var ids = new List<int> { _process.Id };
        foreach (var entry in new DirectoryInfo("/proc").EnumerateDirectories())
        {
            if (!int.TryParse(entry.Name, out var pid))
            {
                continue;
            }

            try
            {
                // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
                var stat = File.ReadAllText(Path.Combine(entry.FullName, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) == _process.Id)
                {
                    ids.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended meanwhile.
            }
        }

        return ids;
    }

    /// <summary>The Maildir of a user, for checking deliveries.</summary>
    public string MaildirOf(string user) => Path.Combine(Directory, "home", user, "Maildir");

    /// <summary>Dovecot's own log, for failure messages.</summary>
    public string Log => File.Exists(Path.Combine(Directory, "dovecot.log")) ? File.ReadAllText(Path.Combine(Directory, "dovecot.log")) : "";

    // LAYOUT=fs beside it: with Maildir++ on disk, '.' would be refused in a name under the '/' separator.
    private const string SpecialUseNamespace = """
        namespace inbox {
          inbox = yes
          separator = /
          mailbox INBOX {
            auto = subscribe
          }
          mailbox Drafts {
            auto = subscribe
            special_use = \Drafts
          }
          mailbox Sent {
            auto = subscribe
            special_use = \Sent
          }
          mailbox Trash {
            auto = subscribe
            special_use = \Trash
          }
          mailbox Junk {
            auto = subscribe
            special_use = \Junk
          }
          mailbox Archive {
            auto = subscribe
            special_use = \Archive
          }
        }
        """;

    public static async Task<DovecotPeer> StartAsync(DovecotPeerOptions? options = null)
    {
        options ??= new DovecotPeerOptions();
        var dovecot = FindDovecot();
        var directory = System.IO.Directory.CreateTempSubdirectory("gwtest-dovecot-").FullName;
        File.SetUnixFileMode(directory, (UnixFileMode)Convert.ToInt32("755", 8));
        var (imapPort, pop3Port, lmtpPort) = (LoopbackPorts.Free(options.Address), LoopbackPorts.Free(options.Address), LoopbackPorts.Free(options.Address));
        var (imapsPort, pop3sPort) = options.Certificates is null ? (0, 0) : (LoopbackPorts.Free(options.Address), LoopbackPorts.Free(options.Address));

        var users = new StringBuilder();
        foreach (var (user, password) in options.Users)
        {
            users.Append(user).Append(":{PLAIN}").Append(password).Append('\n');
            System.IO.Directory.CreateDirectory(Path.Combine(directory, "home", user));
        }

        await File.WriteAllTextAsync(Path.Combine(directory, "users"), users.ToString());
        var ssl = options.Certificates is { } certificates
            ? $"ssl = yes\nssl_cert = <{certificates.CertificateFile}\nssl_key = <{certificates.KeyFile}\nssl_min_protocol = TLSv1.2\n"
            : "ssl = no\n";
        var config = $$"""
            base_dir = {{directory}}/run
            state_dir = {{directory}}/state
            log_path = {{directory}}/dovecot.log
            protocols = imap pop3 lmtp
            listen = {{options.Address}}
            {{ssl}}
            disable_plaintext_auth = {{(options.DisablePlaintextAuth ? "yes" : "no")}}
            auth_mechanisms = plain login
            default_internal_user = dovecot
            default_login_user = dovenull
            first_valid_uid = 1
            mail_uid = dovecot
            mail_gid = dovecot
            mail_location = maildir:~/Maildir{{(options.SpecialUseMailboxes ? ":LAYOUT=fs" : "")}}
            {{(options.SpecialUseMailboxes ? SpecialUseNamespace : "")}}
            passdb {
              driver = passwd-file
              args = username_format=%u {{directory}}/users
            }
            userdb {
              driver = static
              args = uid=dovecot gid=dovecot home={{directory}}/home/%u
            }
            service imap-login {
              inet_listener imap {
                port = {{imapPort}}
              }
              inet_listener imaps {
                port = {{imapsPort}}
                ssl = {{(imapsPort == 0 ? "no" : "yes")}}
              }
            }
            service pop3-login {
              inet_listener pop3 {
                port = {{pop3Port}}
              }
              inet_listener pop3s {
                port = {{pop3sPort}}
                ssl = {{(pop3sPort == 0 ? "no" : "yes")}}
              }
            }
            service lmtp {
              inet_listener lmtp {
                address = {{options.Address}}
                port = {{lmtpPort}}
              }
            }
            protocol lmtp {
              postmaster_address = postmaster@example.test
            }
            {{options.ExtraSettings}}
            """;
        var configFile = Path.Combine(directory, "dovecot.conf");
        await File.WriteAllTextAsync(configFile, config);
        await ExternalProcess.RunAsync("chown", ["-R", "dovecot:dovecot", Path.Combine(directory, "home")]);

        var start = new ProcessStartInfo(dovecot) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-F", "-c", configFile })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dovecot did not start");
        var peer = new DovecotPeer(directory, process, imapPort, pop3Port, lmtpPort, options.Address, imapsPort, pop3sPort);
        try
        {
            foreach (var port in new[] { imapPort, pop3Port, lmtpPort, imapsPort, pop3sPort }.Where(p => p != 0))
            {
                await LoopbackPorts.WaitForListenerAsync(new IPEndPoint(options.Address, port), process, "dovecot");
            }
        }
        catch
        {
            var log = peer.Log;
            await peer.DisposeAsync();
            throw new InvalidOperationException($"dovecot did not come up: {log}");
        }

        return peer;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }

        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A process of Dovecot's still holds a file; the temporary directory is left behind.
        }
    }

    private static string FindDovecot()
    {
        foreach (var candidate in new[] { "/usr/sbin/dovecot", "/usr/bin/dovecot" })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("Debian's dovecot-core is not installed; deploy/dev/test.sh installs it");
    }
}
