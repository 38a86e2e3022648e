using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Groupware.Testing;

/// <summary>
/// The real <c>groupware</c> executable run as a child process (<c>dotnet groupware.dll serve</c>)
/// from a configuration file in a temporary directory, with an LMTP listener (and optionally a
/// POP3 STLS one and an IMAP implicit-TLS one) on free loopback ports: for what only a separate process can show (SIGKILL, two
/// nodes on one database) and for benchmarks, where a server in the client's process would share
/// its cores and thread pool with the client while the peer runs alone.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, string directory, IPEndPoint lmtp, IPEndPoint? pop3, IPEndPoint? imaps)
    {
        _process = process;
        Directory = directory;
        Lmtp = lmtp;
        Pop3 = pop3;
        Imaps = imaps;
    }

    /// <summary>The temporary directory: configuration, certificate, spool.</summary>
    public string Directory { get; }

    public string SpoolDirectory => Path.Combine(Directory, "spool");

    public IPEndPoint Lmtp { get; }

    /// <summary>The POP3 listener (STLS), when asked for.</summary>
    public IPEndPoint? Pop3 { get; }

    /// <summary>The IMAP listener with implicit TLS (RFC 8314), when asked for.</summary>
    public IPEndPoint? Imaps { get; }

    public int Id => _process.Id;

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

    /// <summary>The <c>dotnet</c> host that runs the tests, to run the server's dll with.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : ExternalProcess.Require("dotnet");

    /// <summary>The server's entry assembly, built next to the tests.</summary>
    public static string ServerDll => Path.Combine(AppContext.BaseDirectory, "groupware.dll");

    /// <summary>Writes a node's configuration file: an lmtp listener on <paramref name="port"/>, the run's database.</summary>
    public static string WriteConfig(string directory, string nodeName, int port, string? connectionString = null,
        IDictionary<string, object>? mail = null, int? pop3Port = null, Action<Dictionary<string, object>>? adjust = null, int? imapsPort = null)
    {
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "spool"));
        var certificates = Path.Combine(directory, "tls");
        if (!File.Exists(Path.Combine(certificates, "cert.pem")))
        {
            var (certificate, key) = Groupware.Server.Cli.DevCertificate.Create(["localhost", "127.0.0.1"], TimeSpan.FromDays(2));
            System.IO.Directory.CreateDirectory(certificates);
            File.WriteAllText(Path.Combine(certificates, "cert.pem"), certificate);
            File.WriteAllText(Path.Combine(certificates, "key.pem"), key);
        }

        var config = new Dictionary<string, object>
        {
            ["Node"] = new Dictionary<string, object> { ["Name"] = nodeName },
            ["Database"] = new Dictionary<string, object> { ["ConnectionString"] = connectionString ?? TestDatabase.ConnectionString },
            ["Tls"] = new Dictionary<string, object>
            {
                ["CertificateFile"] = Path.Combine(certificates, "cert.pem"),
                ["KeyFile"] = Path.Combine(certificates, "key.pem"),
            },
            ["Listeners"] = new Dictionary<string, object>
            {
                ["lmtp"] = new Dictionary<string, object> { ["Protocol"] = "lmtp", ["Endpoint"] = $"127.0.0.1:{port}", ["Tls"] = "none" },
            },
            ["Mail"] = new Dictionary<string, object>(mail ?? new Dictionary<string, object>()) { ["SpoolDirectory"] = Path.Combine(directory, "spool") },
            // Several nodes run on this host at once: each admin listener on its own ephemeral port.
            ["Admin"] = new Dictionary<string, object> { ["Endpoint"] = "127.0.0.1:0" },
        };
        if (pop3Port is { } pop3)
        {
            ((Dictionary<string, object>)config["Listeners"])["pop3"] =
                new Dictionary<string, object> { ["Protocol"] = "pop3", ["Endpoint"] = $"127.0.0.1:{pop3}", ["Tls"] = "starttls" };
        }

        if (imapsPort is { } imaps)
        {
            ((Dictionary<string, object>)config["Listeners"])["imaps"] =
                new Dictionary<string, object> { ["Protocol"] = "imap", ["Endpoint"] = $"127.0.0.1:{imaps}", ["Tls"] = "implicit" };
        }

        adjust?.Invoke(config);
        var path = Path.Combine(directory, "groupware.json");
        File.WriteAllText(path, JsonSerializer.Serialize(config));
        return path;
    }

    /// <param name="nodeName">The node's name.</param>
    /// <param name="withPop3">Whether to add a POP3 STLS listener.</param>
    /// <param name="adjust">Changes to the configuration before it is written (more listeners, limits, a pool size).</param>
    /// <param name="withImaps">Whether to add an IMAP listener with implicit TLS.</param>
    public static async Task<ServerProcess> StartAsync(string nodeName, bool withPop3 = false, Action<Dictionary<string, object>>? adjust = null,
        bool withImaps = false)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("gwtest-node-").FullName;
        var port = FreePort();
        int? pop3Port = withPop3 ? FreePort() : null;
        int? imapsPort = withImaps ? FreePort() : null;
        var config = WriteConfig(directory, nodeName, port, pop3Port: pop3Port, adjust: adjust, imapsPort: imapsPort);
        var start = new ProcessStartInfo(DotnetHost)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { ServerDll, "serve", "--config", config })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("groupware did not start");
        var server = new ServerProcess(process, directory, new IPEndPoint(IPAddress.Loopback, port),
            pop3Port is { } p ? new IPEndPoint(IPAddress.Loopback, p) : null,
            imapsPort is { } i ? new IPEndPoint(IPAddress.Loopback, i) : null);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitForListenerAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>SIGKILL: the process dies at once, with no chance to clean up.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
    }

    /// <summary>
    /// The size of the file the server is spooling a message into, read through /proc with
    /// <c>stat -L</c> (the file's name is already unlinked); 0 when none is open.
    /// </summary>
    public async Task<long> SpoolFileSizeAsync()
    {
        foreach (var descriptor in new DirectoryInfo($"/proc/{_process.Id}/fd").EnumerateFileSystemInfos())
        {
            if (descriptor.LinkTarget is { } target && target.Contains("groupware-spool-", StringComparison.Ordinal))
            {
                var stat = await ExternalProcess.RunAsync("stat", ["-L", "-c", "%s", descriptor.FullName]);
                return stat.ExitCode == 0 ? long.Parse(stat.Output.Trim(), System.Globalization.CultureInfo.InvariantCulture) : 0;
            }
        }

        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    /// <summary>A loopback port for a listener of the node's configuration (<see cref="LoopbackPorts"/>).</summary>
    public static int FreePort() => LoopbackPorts.Free();

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

    private async Task WaitForListenerAsync()
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"groupware exited with {_process.ExitCode}:\n{Output}");
            }

            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(Lmtp);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new TimeoutException($"groupware did not listen on {Lmtp} within 30 s:\n{Output}");
    }
}
