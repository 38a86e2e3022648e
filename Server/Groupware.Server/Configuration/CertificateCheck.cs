using Groupware.Connections;
using Microsoft.Extensions.Logging;

namespace Groupware.Server.Configuration;

/// <summary>The certificate rules shared by <c>groupware config check</c> and start-up.</summary>
internal static class CertificateCheck
{
    /// <summary>
    /// Loads the node's certificate where the options need one, adding every problem to
    /// <paramref name="problems"/>. A secure node never runs without one (fail closed: Kopano's
    /// disable_plaintext_auth once allowed clear text silently when no certificate was configured).
    /// </summary>
    public static TlsCertificateStore? Load(GroupwareOptions options, ILoggerFactory loggerFactory, DateTimeOffset now,
        List<ConfigProblem> problems)
    {
        if (!options.NeedsCertificate)
        {
            return null;
        }

        var certificates = TlsCertificateStore.Load(options.Tls.CertificateFile, options.Tls.KeyFile, now,
            loggerFactory.CreateLogger<TlsCertificateStore>(), TimeProvider.System, out var found);
        problems.AddRange(found.Select(p => new ConfigProblem(p.Key, p.Message)));
        if (certificates is null && !options.Node.AllowPlaintextAuth)
        {
            problems.Add(new ConfigProblem("Tls", "a secure node (Node:AllowPlaintextAuth=false) does not start without a usable certificate"));
        }

        return certificates;
    }
}
