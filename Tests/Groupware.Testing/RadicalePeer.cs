using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Groupware.Testing;

/// <summary>How a <see cref="RadicalePeer"/> is configured.</summary>
public sealed record RadicalePeerOptions
{
    /// <summary>Serve HTTPS with these PEM files; null for plain HTTP.</summary>
    public TestCertificates? Certificates { get; init; }

    /// <summary>Users and their clear-text passwords (an htpasswd file with <c>htpasswd_encryption = plain</c>).</summary>
    public IReadOnlyDictionary<string, string> Users { get; init; } = new Dictionary<string, string> { ["bench"] = "secret" };
}

/// <summary>
/// Debian's Radicale (3.1) run from a private configuration in a temporary directory, on a free
/// loopback port: a CalDAV peer for benchmarks. Authentication is htpasswd with plain passwords
/// (no hash to compute per request, the cheapest Radicale has), every user owns only their own
/// collections (<c>owner_only</c>), and the collections live in the directory's filesystem store.
/// Only the given configuration file is read (<c>--config</c>), never <c>/etc/radicale/config</c>.
/// </summary>
public sealed class RadicalePeer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private RadicalePeer(string directory, Process process, Uri baseAddress)
    {
        Directory = directory;
        _process = process;
        BaseAddress = baseAddress;
    }

    public string Directory { get; }

    /// <summary>The server's URL: <c>https://127.0.0.1:PORT/</c>, or http without certificates.</summary>
    public Uri BaseAddress { get; }

    /// <summary>
    /// Where the multifilesystem store keeps a collection: one file per member, named by its href's last
    /// segment, holding the member's iCalendar text. A file written there is a member at the next request.
    /// </summary>
    public string CollectionDirectory(string user, string collection) => Path.Combine(Directory, "collections", "collection-root", user, collection);

    /// <summary>Radicale's process, for measuring what it uses.</summary>
    public int Id => _process.Id;

    /// <summary>What Radicale wrote to stdout and stderr, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<RadicalePeer> StartAsync(RadicalePeerOptions? options = null)
    {
        options ??= new RadicalePeerOptions();
        var radicale = ExternalProcess.Require("radicale");
        var directory = System.IO.Directory.CreateTempSubdirectory("gwtest-radicale-").FullName;
        var port = LoopbackPorts.Free();

        var users = new StringBuilder();
        foreach (var (user, password) in options.Users)
        {
            users.Append(user).Append(':').Append(password).Append('\n');
        }

        await File.WriteAllTextAsync(Path.Combine(directory, "users"), users.ToString());
        var ssl = options.Certificates is { } certificates
            ? $"ssl = True\ncertificate = {certificates.CertificateFile}\nkey = {certificates.KeyFile}\n"
            : "ssl = False\n";
        var config = $"""
            [server]
            hosts = 127.0.0.1:{port}
            {ssl}
            [auth]
            type = htpasswd
            htpasswd_filename = {directory}/users
            htpasswd_encryption = plain
            delay = 0

            [rights]
            type = owner_only

            [storage]
            filesystem_folder = {directory}/collections

            [web]
            type = none

            [logging]
            level = warning
            mask_passwords = True
            """;
        var configFile = Path.Combine(directory, "config");
        await File.WriteAllTextAsync(configFile, config);

        var start = new ProcessStartInfo(radicale) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "--config", configFile })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("radicale did not start");
        var scheme = options.Certificates is null ? "http" : "https";
        var peer = new RadicalePeer(directory, process, new Uri($"{scheme}://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => peer.Append(e.Data);
        process.ErrorDataReceived += (_, e) => peer.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await LoopbackPorts.WaitForListenerAsync(new IPEndPoint(IPAddress.Loopback, port), process, "radicale");
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            var output = peer.Output;
            await peer.DisposeAsync();
            throw new InvalidOperationException($"radicale did not come up ({e.Message}): {output}", e);
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
            // Something still holds a file; the temporary directory is left behind.
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
