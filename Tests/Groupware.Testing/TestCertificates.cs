using System.Security.Cryptography.X509Certificates;
using Groupware.Server.Cli;

namespace Groupware.Testing;

/// <summary>Certificate files for tests, in a directory removed afterwards.</summary>
public sealed class TestCertificates : IDisposable
{
    public TestCertificates(TimeSpan? validity = null, DateTimeOffset? notBefore = null)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("gwtest-tls-").FullName;
        CertificateFile = Path.Combine(Directory, "cert.pem");
        KeyFile = Path.Combine(Directory, "key.pem");
        Replace(validity, notBefore);
    }

    public string Directory { get; }

    public string CertificateFile { get; }

    public string KeyFile { get; }

    /// <summary>Thumbprint of the certificate in the files now.</summary>
    public string Thumbprint => X509Certificate2.CreateFromPem(File.ReadAllText(CertificateFile)).Thumbprint;

    /// <summary>Writes a new certificate and key over the files, each through a rename.</summary>
    public void Replace(TimeSpan? validity = null, DateTimeOffset? notBefore = null)
    {
        var (certificatePem, keyPem) = DevCertificate.Create(["localhost", "127.0.0.1"], validity ?? TimeSpan.FromDays(30), notBefore);
        DevCertificate.WriteReplacing(KeyFile, keyPem, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        DevCertificate.WriteReplacing(CertificateFile, certificatePem, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Already gone.
        }
    }
}
