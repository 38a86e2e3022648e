using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Groupware.Connections;

/// <summary>A problem with the configured certificate, naming the configuration key it concerns.</summary>
public sealed record CertificateProblem(string Key, string Message)
{
    public override string ToString() => $"{Key}: {Message}";
}

/// <summary>
/// The node's TLS certificate, loaded from PEM files (a chain after the leaf is sent too) and
/// reloaded when either file changes, so that a renewal (certbot, acme.sh) needs no restart.
/// The files are looked at, at most once per <see cref="ReloadCheckInterval"/>, when a handshake
/// asks for the certificate; a pair that does not load (a renewal half-written) keeps the old one.
/// </summary>
public sealed partial class TlsCertificateStore
{
    public const string CertificateKey = "Tls:CertificateFile";
    public const string KeyKey = "Tls:KeyFile";

    private readonly string _certificateFile;
    private readonly string _keyFile;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private Loaded _loaded;
    private long _nextCheck;

    /// <summary>The fingerprint of files that were looked at and refused, so they are not reloaded (and logged) again.</summary>
    private string? _refused;

    private TlsCertificateStore(string certificateFile, string keyFile, Loaded loaded, ILogger logger, TimeProvider time)
    {
        _certificateFile = certificateFile;
        _keyFile = keyFile;
        _loaded = loaded;
        _logger = logger;
        _time = time;
        _nextCheck = time.GetTimestamp() + Stopwatch(ReloadCheckInterval);
    }

    /// <summary>How often the files are looked at for a change.</summary>
    public static TimeSpan ReloadCheckInterval { get; } = TimeSpan.FromSeconds(1);

    /// <summary>The certificate context for the next handshake.</summary>
    public SslStreamCertificateContext Current
    {
        get
        {
            ReloadIfChanged();
            return _loaded.Context;
        }
    }

    /// <summary>The leaf certificate served now.</summary>
    public X509Certificate2 Certificate
    {
        get
        {
            ReloadIfChanged();
            return _loaded.Leaf;
        }
    }

    /// <summary>
    /// Loads the pair; on failure returns null and every problem found, each naming its key. Checks
    /// that both files exist and are readable, parse, belong together, and that the certificate is
    /// valid at <paramref name="now"/>.
    /// </summary>
    public static TlsCertificateStore? Load(string certificateFile, string keyFile, DateTimeOffset now,
        ILogger logger, TimeProvider time, out IReadOnlyList<CertificateProblem> problems)
    {
        var loaded = TryLoad(certificateFile, keyFile, out var found);
        if (loaded is not null)
        {
            if (loaded.Leaf.NotAfter.ToUniversalTime() < now.UtcDateTime)
            {
                found.Add(new CertificateProblem(CertificateKey,
                    $"certificate in {certificateFile} expired on {loaded.Leaf.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC"));
            }
            else if (loaded.Leaf.NotBefore.ToUniversalTime() > now.UtcDateTime)
            {
                found.Add(new CertificateProblem(CertificateKey,
                    $"certificate in {certificateFile} is not valid before {loaded.Leaf.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC"));
            }
        }

        problems = found;
        return loaded is null || found.Count > 0 ? null : new TlsCertificateStore(certificateFile, keyFile, loaded, logger, time);
    }

    private static Loaded? TryLoad(string certificateFile, string keyFile, out List<CertificateProblem> problems)
    {
        problems = [];
        var certificateText = ReadPem(certificateFile, CertificateKey, problems);
        var keyText = ReadPem(keyFile, KeyKey, problems);
        if (certificateText is null || keyText is null)
        {
            return null;
        }

        var chain = new X509Certificate2Collection();
        try
        {
            chain.ImportFromPem(certificateText);
        }
        catch (CryptographicException e)
        {
            problems.Add(new CertificateProblem(CertificateKey, $"{certificateFile} holds no readable PEM certificate: {e.Message}"));
            return null;
        }

        if (chain.Count == 0)
        {
            problems.Add(new CertificateProblem(CertificateKey, $"{certificateFile} holds no PEM certificate"));
            return null;
        }

        if (!keyText.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            problems.Add(new CertificateProblem(KeyKey, $"{keyFile} holds no PEM private key"));
            return null;
        }

        X509Certificate2 leaf;
        try
        {
            leaf = X509Certificate2.CreateFromPem(certificateText, keyText);
        }
        catch (CryptographicException e)
        {
            problems.Add(new CertificateProblem(KeyKey, $"the key in {keyFile} does not match the certificate in {certificateFile} or cannot be read: {e.Message}"));
            return null;
        }

        var intermediates = new X509Certificate2Collection();
        for (var i = 1; i < chain.Count; i++)
        {
            intermediates.Add(chain[i]);
        }

        var context = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
        return new Loaded(leaf, context, Fingerprint(certificateFile, keyFile));
    }

    private static string? ReadPem(string path, string key, List<CertificateProblem> problems)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            problems.Add(new CertificateProblem(key, "no file configured"));
            return null;
        }

        try
        {
            return File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            problems.Add(new CertificateProblem(key, $"{path} does not exist"));
        }
        catch (DirectoryNotFoundException)
        {
            problems.Add(new CertificateProblem(key, $"{path} does not exist"));
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            problems.Add(new CertificateProblem(key, $"{path} cannot be read: {e.Message}"));
        }

        return null;
    }

    private void ReloadIfChanged()
    {
        var now = _time.GetTimestamp();
        if (now < Volatile.Read(ref _nextCheck))
        {
            return;
        }

        lock (_lock)
        {
            if (now < _nextCheck)
            {
                return;
            }

            _nextCheck = now + Stopwatch(ReloadCheckInterval);
            var fingerprint = Fingerprint(_certificateFile, _keyFile);
            if (fingerprint == _loaded.Fingerprint || fingerprint == _refused)
            {
                return;
            }

            var loaded = TryLoad(_certificateFile, _keyFile, out var problems);
            var utcNow = _time.GetUtcNow().UtcDateTime;
            if (loaded is not null && (loaded.Leaf.NotAfter.ToUniversalTime() < utcNow || loaded.Leaf.NotBefore.ToUniversalTime() > utcNow)
                && _loaded.Leaf.NotAfter.ToUniversalTime() >= utcNow)
            {
                // A renewal that is not valid now would break every client; the current one still works.
                problems.Add(new CertificateProblem(CertificateKey,
                    $"the new certificate is valid only from {loaded.Leaf.NotBefore.ToUniversalTime():u} to {loaded.Leaf.NotAfter.ToUniversalTime():u}"));
                loaded = null;
            }

            if (loaded is null)
            {
                // Said once per version of the files, not at every handshake until they are fixed.
                _refused = fingerprint;
                LogReloadFailed(_logger, string.Join("; ", problems));
                return;
            }

            _refused = null;
            _loaded = loaded;
            LogReloaded(_logger, loaded.Leaf.Subject, loaded.Leaf.NotAfter.ToUniversalTime());
        }
    }

    private long Stopwatch(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    /// <summary>What identifies the files' content cheaply: final link target, size and write time.</summary>
    private static string Fingerprint(string certificateFile, string keyFile) =>
        $"{Describe(certificateFile)}|{Describe(keyFile)}";

    private static string Describe(string path)
    {
        try
        {
            var target = File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;
            var info = new FileInfo(target);
            return info.Exists ? $"{target}:{info.Length}:{info.LastWriteTimeUtc.Ticks}" : "missing";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unreadable";
        }
    }

    private sealed record Loaded(X509Certificate2 Leaf, SslStreamCertificateContext Context, string Fingerprint);

    [LoggerMessage(Level = LogLevel.Information, Message = "TLS certificate reloaded: {Subject}, valid until {NotAfter:u}")]
    private static partial void LogReloaded(ILogger logger, string subject, DateTime notAfter);

    [LoggerMessage(Level = LogLevel.Error, Message = "TLS certificate files changed but cannot be served; still serving the previous one: {Problems}")]
    private static partial void LogReloadFailed(ILogger logger, string problems);
}
