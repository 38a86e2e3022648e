using System.Net;
using System.Net.Sockets;
using Groupware.Auth;
using Groupware.Connections;
using Groupware.Server.Admin;
using Groupware.Server.Configuration;
using Groupware.Server.Logging;
using Groupware.Storage;
using Groupware.Storage.Migrations;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Groupware.Server.Hosting;

/// <summary>Why a node did not start: every problem found, each naming its key.</summary>
internal sealed class StartupException(IReadOnlyList<ConfigProblem> problems, int exitCode)
    : Exception(string.Join(Environment.NewLine, problems))
{
    public IReadOnlyList<ConfigProblem> Problems { get; } = problems;

    /// <summary>The sysexits(3) code for the command line: EX_CONFIG (78) or EX_UNAVAILABLE (69).</summary>
    public int ExitCode { get; } = exitCode;
}

/// <summary>
/// One node: a Kestrel server hosting every configured listener (raw TCP ones through connection
/// handlers, HTTP ones through the ASP.NET pipeline), over one pooled PostgreSQL data source.
/// </summary>
internal sealed partial class GroupwareHost : IAsyncDisposable
{
    public const int ExConfig = 78;
    public const int ExUnavailable = 69;

    private readonly WebApplication _app;
    private readonly Dictionary<string, ListenOptions> _bound;
    private readonly ListenOptions? _admin;

    private GroupwareHost(WebApplication app, Dictionary<string, ListenOptions> bound, ListenOptions? admin, GroupwareOptions options)
    {
        _app = app;
        _bound = bound;
        _admin = admin;
        Options = options;
    }

    public GroupwareOptions Options { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>The address each listener is bound to (with the real port when the configuration said 0).</summary>
    public EndPoint EndPointOf(string listenerName) => _bound[listenerName].EndPoint;

    /// <summary>The address the admin listener (<c>Admin:Endpoint</c>) is bound to.</summary>
    public EndPoint? AdminEndPoint => _admin?.EndPoint;

    /// <summary>
    /// Starts a node: checks the certificate and that every listener's protocol is served, reaches
    /// the database, applies migrations under the advisory lock, then binds every listener.
    /// </summary>
    /// <param name="options">Checked options (see <see cref="ConfigReader"/>).</param>
    /// <param name="configureServices">Extra registrations (tests add their own protocols here).</param>
    /// <param name="cancellationToken">Aborts the start.</param>
    public static async Task<GroupwareHost> StartAsync(GroupwareOptions options,
        Action<IServiceCollection>? configureServices, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = "groupware",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.AddNodeConsole(options.Node.Name, options.Node.AllowPlaintextAuth);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(options.Limits.ShutdownTimeoutSeconds));

        var policy = options.Node.ToPolicy();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(policy);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DatabaseOutageLog>();
        var poolName = AdminListener.AddAdmin(builder.Services, options);
        builder.Services.AddSingleton(_ => Database.CreateDataSource(options.ConnectionString, options.Node.Name, poolName));
        builder.Services.AddSingleton<Migrator>();
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<GroupwareMetrics>();
        var directory = new ListenerDirectory();
        builder.Services.AddSingleton(directory);
        builder.Services.AddGroupwareAuth(options.Auth);
        ProtocolRegistration.AddImplementedProtocols(builder.Services);
        configureServices?.Invoke(builder.Services);

        // Kestrel reads its listen options when the application is built, before the certificate can be
        // loaded and the protocols checked; each listener's context is therefore filled in afterwards and
        // looked up per connection.
        var contexts = new Dictionary<string, ListenerContext>(StringComparer.Ordinal);
        var bound = new Dictionary<string, ListenOptions>(StringComparer.Ordinal);
        ListenOptions? admin = null;
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            var protocols = kestrel.ApplicationServices.GetServices<LineProtocol>().ToDictionary(p => p.Name, StringComparer.Ordinal);
            var httpProtocols = kestrel.ApplicationServices.GetServices<HttpFrontEnd>().ToDictionary(p => p.Name, StringComparer.Ordinal);
            var metrics = kestrel.ApplicationServices.GetRequiredService<GroupwareMetrics>();
            AdminListener.Listen(kestrel, options, listen => admin = listen);
            foreach (var listener in options.Listeners)
            {
                var isHttp = httpProtocols.ContainsKey(listener.Protocol);
                if (!protocols.TryGetValue(listener.Protocol, out var protocol) && !isHttp)
                {
                    continue;  // refused by CheckBeforeBinding
                }

                var limiter = new ConnectionLimiter(listener.MaxConnections, listener.MaxConnectionsPerIp, options.Auth.IPv6PrefixLength);
                void Configure(ListenOptions listen)
                {
                    bound[listener.Name] = listen;
                    directory.Add(listener.Name, listener.Protocol, listener.Tls, () => listen.EndPoint);
                    if (isHttp)
                    {
                        ConfigureHttp(listen, listener, httpProtocols[listener.Protocol], limiter, metrics, contexts, options);
                        return;
                    }

                    listen.Use(limiter.Middleware(protocol!, listener.Tls, listener.Name, metrics));
                    if (listener.Tls == TlsMode.Implicit)
                    {
                        UseImplicitTls(listen, listener, contexts, options);
                    }

                    listen.Run(connection => protocol!.RunAsync(connection, contexts[listener.Name]));
                }

                if (listener.Endpoint.UnixPath is { } path)
                {
                    kestrel.ListenUnixSocket(path, Configure);
                }
                else
                {
                    kestrel.Listen(listener.Endpoint.IP!, Configure);
                }
            }
        });

        var app = builder.Build();
        TlsCertificateStore? certificates;
        try
        {
            var loggerFactory = app.Services.GetRequiredService<ILoggerFactory>();
            certificates = CheckBeforeBinding(options, app.Services, loggerFactory);
            await PrepareDatabaseAsync(app.Services, loggerFactory, cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<GroupwareHost>();
        var lineProtocols = app.Services.GetServices<LineProtocol>().ToDictionary(p => p.Name, StringComparer.Ordinal);
        var servedHttp = app.Services.GetServices<HttpFrontEnd>().ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var listener in options.Listeners)
        {
            var (defaultLimits, applicationProtocols) = lineProtocols.TryGetValue(listener.Protocol, out var protocol)
                ? (protocol.DefaultLimits, protocol.ApplicationProtocols)
                : (servedHttp[listener.Protocol].DefaultLimits, servedHttp[listener.Protocol].ApplicationProtocols);
            contexts[listener.Name] = new ListenerContext
            {
                Name = listener.Name,
                Protocol = listener.Protocol,
                Tls = listener.Tls,
                EndPoint = listener.Endpoint.EndPoint,
                Node = policy,
                // A clear-text listener still offers STARTTLS/STLS when the node has a certificate.
                Certificates = certificates,
                Limits = options.Limits.Apply(defaultLimits),
                ApplicationProtocols = applicationProtocols,
                Time = app.Services.GetRequiredService<TimeProvider>(),
                Metrics = app.Services.GetRequiredService<GroupwareMetrics>(),
            };
            if (listener.Endpoint.UnixPath is { } path)
            {
                RemoveStaleSocket(path);
            }

            LogListener(logger, listener.Name, listener.Protocol, listener.Endpoint.Text, listener.Tls.ToString().ToLowerInvariant());
        }

        if (options.Node.AllowPlaintextAuth)
        {
            LogLegacyNode(logger, options.Node.Name, options.Node.PlaintextAccounts == PlaintextAccounts.Any ? "every account" : "accounts flagged legacy-device");
        }

        if (options.Node.TrustedNetworks.Count > 0)
        {
            LogTrustedNetworks(logger, string.Join(", ", options.Node.TrustedNetworks));
        }

        AdminListener.Use(app);
        UseHttpProtocols(app, servedHttp, contexts);
        if (options.Admin.Endpoint.UnixPath is { } adminPath)
        {
            RemoveStaleSocket(adminPath);
        }

        LogListener(logger, "admin", "http", options.Admin.Endpoint.Text, "none");
        await app.StartAsync(cancellationToken);
        return new GroupwareHost(app, bound, admin, options);
    }

    /// <summary>
    /// Refuses to start with a listener whose protocol this build does not serve, or without a usable
    /// certificate where one is needed (fail closed: a secure node never runs without TLS).
    /// </summary>
    private static TlsCertificateStore? CheckBeforeBinding(GroupwareOptions options, IServiceProvider services, ILoggerFactory loggerFactory)
    {
        var catalog = new ProtocolCatalog(services.GetServices<LineProtocol>().Select(p => p.Name)
            .Concat(services.GetServices<HttpFrontEnd>().Select(p => p.Name)));
        var problems = new List<ConfigProblem>();
        foreach (var listener in options.Listeners.Where(l => !catalog.IsImplemented(l.Protocol)))
        {
            problems.Add(new ConfigProblem($"Listeners:{listener.Name}:Protocol",
                $"\"{listener.Protocol}\" is not implemented in this version (implemented: {string.Join(", ", catalog.Implemented)}); remove the listener"));
        }

        var certificates = CertificateCheck.Load(options, loggerFactory, DateTimeOffset.UtcNow, problems);
        return problems.Count > 0 ? throw new StartupException(problems, ExConfig) : certificates;
    }

    /// <summary>
    /// TLS from the first octet (Kestrel's TLS middleware) with the certificate current at each
    /// handshake; then OpenSSL may release each connection's record buffers while it is idle
    /// (<see cref="OpenSslBuffers"/>), whichever protocol runs on it.
    /// </summary>
    private static void UseImplicitTls(ListenOptions listen, ListenerOptions listener, Dictionary<string, ListenerContext> contexts,
        GroupwareOptions options)
    {
        listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = _ => ValueTask.FromResult(contexts[listener.Name].ServerTlsOptions()),
            HandshakeTimeout = TimeSpan.FromSeconds(options.Limits.TlsHandshakeTimeoutSeconds),
        });
        listen.Use(next => connection =>
        {
            if (connection.Features.Get<ISslStreamFeature>()?.SslStream is { } tls)
            {
                OpenSslBuffers.ReleaseWhenIdle(tls);
            }

            return next(connection);
        });
    }

    /// <summary>
    /// Binds an HTTP listener: the connection limit, implicit TLS with the protocol's ALPN list (h2,
    /// http/1.1), HTTP/1.1 and HTTP/2 over TLS and HTTP/1.1 in clear, and a mark naming the listener,
    /// by which <see cref="UseHttpProtocols"/> routes its requests.
    /// </summary>
    private static void ConfigureHttp(ListenOptions listen, ListenerOptions listener, HttpFrontEnd frontEnd, ConnectionLimiter limiter, GroupwareMetrics metrics,
        Dictionary<string, ListenerContext> contexts, GroupwareOptions options)
    {
        // No busy line: an HTTP client that cannot connect retries, and a refused connection has no request to answer.
        listen.Use(limiter.Middleware(_ => ReadOnlyMemory<byte>.Empty, listener.Tls, listener.Name, metrics));
        if (listener.Tls == TlsMode.Implicit)
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            UseImplicitTls(listen, listener, contexts, options);
        }
        else
        {
            // Kestrel offers HTTP/2 in clear only by prior knowledge, which no calendar client uses (gRPC clients only do).
            listen.Protocols = frontEnd.ClearTextHttp2 ? HttpProtocols.Http2 : HttpProtocols.Http1;
        }

        var mark = new HttpListenerFeature(listener.Name);
        listen.Use(next => connection =>
        {
            connection.Features.Set(mark);
            return next(connection);
        });
    }

    /// <summary>
    /// Ends the HTTP pipeline: a request that came through an HTTP listener goes to its protocol, unless another
    /// front-end served on that listener claims it (<see cref="HttpFrontEnd.AlsoServedOn"/>); anything else is 404.
    /// </summary>
    private static void UseHttpProtocols(WebApplication app, Dictionary<string, HttpFrontEnd> protocols, Dictionary<string, ListenerContext> contexts)
    {
        var guests = protocols.Values.Where(p => p.AlsoServedOn.Count > 0).ToList();
        var pipelines = protocols.ToDictionary(p => p.Key, p => p.Value.BuildPipeline(app.Services), StringComparer.Ordinal);
        app.Run(context =>
        {
            if (context.Features.Get<HttpListenerFeature>() is { } mark && contexts.TryGetValue(mark.Listener, out var listener))
            {
                if (pipelines[listener.Protocol] is { } pipeline)
                {
                    context.Features.Set(listener);
                    return pipeline(context);
                }

                foreach (var guest in guests)
                {
                    if (guest.AlsoServedOn.Contains(listener.Protocol, StringComparer.Ordinal) && guest.Claims(context.Request))
                    {
                        return guest.HandleAsync(context, listener);
                    }
                }

                return protocols[listener.Protocol].HandleAsync(context, listener);
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
    }

    /// <summary>Marks the connections of an HTTP listener with the listener's name.</summary>
    private sealed record HttpListenerFeature(string Listener);

    /// <summary>Reaches the database and applies pending migrations under the advisory lock.</summary>
    private static async Task PrepareDatabaseAsync(IServiceProvider services, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        try
        {
            var dataSource = services.GetRequiredService<NpgsqlDataSource>();
            await Database.CheckReachableAsync(dataSource, cancellationToken);
            await services.GetRequiredService<Migrator>().MigrateAsync(cancellationToken);
        }
        catch (Exception e) when (DatabaseFailure.IsUnavailable(e))
        {
            throw new StartupException([new ConfigProblem("Database:ConnectionString", $"the database is unreachable: {e.Message}")], ExUnavailable);
        }
    }

    /// <summary>Stops accepting, lets every session say goodbye, and waits for them up to the shutdown timeout.</summary>
    public async Task StopAsync(CancellationToken cancellationToken) => await _app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private static void RemoveStaleSocket(string path)
    {
        // A socket file left by a node that was killed would make the bind fail.
        if (File.Exists(path) && (File.GetAttributes(path) & FileAttributes.Directory) == 0)
        {
            using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
            }
            catch (SocketException)
            {
                File.Delete(path);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Listener {Name}: {Protocol} on {Endpoint}, tls={Tls}")]
    private static partial void LogListener(ILogger logger, string name, string protocol, string endpoint, string tls);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "LEGACY NODE {Node}: Node:AllowPlaintextAuth=true, clear-text passwords are accepted from {Who}. Run this node only for devices that cannot do TLS.")]
    private static partial void LogLegacyNode(ILogger logger, string node, string who);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Node:TrustedNetworks is set: clear-text connections from {Networks} count as secure and may send passwords without TLS")]
    private static partial void LogTrustedNetworks(ILogger logger, string networks);
}
