using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Groupware.Testing;

/// <summary>
/// Debian's Postfix run from a private configuration in a temporary directory, on free loopback ports, with
/// <c>smtpd_sasl_type = dovecot</c> pointed at a node's <c>sasl</c> listener: the MTA whose SMTP AUTH our auth
/// module decides. Two smtpd listeners: <see cref="SubmissionPort"/> as submission is configured (TLS required,
/// <c>smtpd_tls_auth_only = yes</c>) and <see cref="ClearPort"/> with <c>smtpd_tls_auth_only = no</c> and no TLS,
/// the misconfiguration that lets a password cross in clear. Accepted mail is discarded. Nothing of the system's
/// own Postfix configuration is used or started.
/// </summary>
public sealed class PostfixPeer : IAsyncDisposable
{
    private readonly string _postfix;

    private PostfixPeer(string postfix, string directory, int submissionPort, int clearPort)
    {
        _postfix = postfix;
        Directory = directory;
        SubmissionPort = submissionPort;
        ClearPort = clearPort;
    }

    public string Directory { get; }

    private string ConfigDirectory => Path.Combine(Directory, "etc");

    /// <summary>smtpd with TLS required before anything (STARTTLS), AUTH only after it.</summary>
    public int SubmissionPort { get; }

    /// <summary>smtpd without TLS that offers AUTH anyway (<c>smtpd_tls_auth_only = no</c>).</summary>
    public int ClearPort { get; }

    /// <summary>Postfix's log (<c>maillog_file</c>), for failure messages.</summary>
    public string Log => File.Exists(Path.Combine(Directory, "maillog")) ? File.ReadAllText(Path.Combine(Directory, "maillog")) : "";

    /// <param name="sasl">The node's sasl listener.</param>
    /// <param name="certificates">The certificate smtpd offers.</param>
    /// <param name="extraMain">Lines appended to main.cf (a later setting overrides an earlier one).</param>
    /// <param name="extraMaster">Services appended to master.cf.</param>
    public static async Task<PostfixPeer> StartAsync(IPEndPoint sasl, TestCertificates certificates, string extraMain = "", string extraMaster = "")
    {
        ArgumentNullException.ThrowIfNull(sasl);
        ArgumentNullException.ThrowIfNull(certificates);
        var postfix = ExternalProcess.Require("postfix");
        var directory = System.IO.Directory.CreateTempSubdirectory("gwtest-postfix-").FullName;
        // Postfix's daemons run as the postfix user: they must reach the queue; the data directory is theirs.
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        foreach (var sub in new[] { "etc", "queue", "data" })
        {
            System.IO.Directory.CreateDirectory(Path.Combine(directory, sub));
        }

        var submissionPort = LoopbackPorts.Free();
        var clearPort = LoopbackPorts.Free();
        await File.WriteAllTextAsync(Path.Combine(directory, "etc", "main.cf"), $"""
            compatibility_level = 3.6
            queue_directory = {directory}/queue
            data_directory = {directory}/data
            mail_owner = postfix
            setgid_group = postdrop
            myhostname = localhost
            mydomain = localdomain
            myorigin = localhost
            mydestination =
            inet_interfaces = 127.0.0.1
            inet_protocols = ipv4
            mynetworks =
            maillog_file_prefixes = {directory}
            maillog_file = {directory}/maillog
            default_transport = discard:accepted in test
            relay_transport = discard:accepted in test
            alias_maps =
            alias_database =
            local_recipient_maps =
            biff = no
            smtpd_relay_restrictions = permit_sasl_authenticated, reject
            smtpd_sasl_auth_enable = yes
            smtpd_sasl_type = dovecot
            smtpd_sasl_path = inet:{sasl.Address}:{sasl.Port.ToString(CultureInfo.InvariantCulture)}
            smtpd_tls_cert_file = {certificates.CertificateFile}
            smtpd_tls_key_file = {certificates.KeyFile}
            smtpd_tls_security_level = may
            smtpd_tls_auth_only = yes
            {extraMain}

            """);
        await File.WriteAllTextAsync(Path.Combine(directory, "etc", "master.cf"), $"""
            127.0.0.1:{submissionPort} inet n - n - - smtpd
              -o smtpd_tls_security_level=encrypt
              -o smtpd_tls_auth_only=yes
            127.0.0.1:{clearPort} inet n - n - - smtpd
              -o smtpd_tls_security_level=none
              -o smtpd_tls_auth_only=no
            pickup    unix  n       -       n       60      1       pickup
            cleanup   unix  n       -       n       -       0       cleanup
            qmgr      unix  n       -       n       300     1       qmgr
            tlsmgr    unix  -       -       n       1000?   1       tlsmgr
            rewrite   unix  -       -       n       -       -       trivial-rewrite
            bounce    unix  -       -       n       -       0       bounce
            defer     unix  -       -       n       -       0       bounce
            trace     unix  -       -       n       -       0       bounce
            verify    unix  -       -       n       -       1       verify
            flush     unix  n       -       n       1000?   0       flush
            proxymap  unix  -       -       n       -       -       proxymap
            showq     unix  n       -       n       -       -       showq
            error     unix  -       -       n       -       -       error
            retry     unix  -       -       n       -       -       error
            discard   unix  -       -       n       -       -       discard
            anvil     unix  -       -       n       -       1       anvil
            scache    unix  -       -       n       -       1       scache
            postlog   unix-dgram n  -       n       -       1       postlogd
            {extraMaster}

            """);
        var chown = await ExternalProcess.RunAsync("chown", ["postfix", Path.Combine(directory, "data")]);
        var peer = new PostfixPeer(postfix, directory, submissionPort, clearPort);
        var start = await ExternalProcess.RunAsync(postfix, ["-c", peer.ConfigDirectory, "start"]);
        if (chown.ExitCode != 0 || start.ExitCode != 0 || !await peer.WaitForPortsAsync())
        {
            var log = peer.Log;
            await peer.DisposeAsync();
            throw new InvalidOperationException($"Postfix did not start: {chown}\n{start}\n{log}");
        }

        return peer;
    }

    /// <summary>Waits (at most 10 s) until both smtpd ports accept connections.</summary>
    private async Task<bool> WaitForPortsAsync()
    {
        foreach (var port in new[] { SubmissionPort, ClearPort })
        {
            var up = false;
            for (var attempt = 0; attempt < 100 && !up; attempt++)
            {
                try
                {
                    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    await socket.ConnectAsync(IPAddress.Loopback, port);
                    up = true;
                }
                catch (SocketException)
                {
                    await Task.Delay(100);
                }
            }

            if (!up)
            {
                return false;
            }
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        // "stop" waits for the master to end its children; "abort" ends them at once if it did not.
        var stop = await ExternalProcess.RunAsync(_postfix, ["-c", ConfigDirectory, "stop"]);
        if (stop.ExitCode != 0)
        {
            await ExternalProcess.RunAsync(_postfix, ["-c", ConfigDirectory, "abort"]);
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A daemon still writing its last lines; the temporary directory is left behind.
        }
    }
}
