using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Groupware.Server.Cli;

/// <summary>A self-signed certificate for development and tests: never for a node users reach.</summary>
internal static class DevCertificate
{
    /// <summary>
    /// Creates a self-signed RSA-2048 certificate for <paramref name="names"/> (DNS names or IP
    /// addresses), valid from one hour ago for <paramref name="validity"/>. RSA rather than ECDSA
    /// because the devices of a legacy node (printers) often support nothing else.
    /// </summary>
    public static (string CertificatePem, string KeyPem) Create(IReadOnlyList<string> names, TimeSpan validity,
        DateTimeOffset? notBefore = null)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={names[0]}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var address))
            {
                san.AddIpAddress(address);
            }
            else
            {
                san.AddDnsName(name);
            }
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1")], false));
        var start = notBefore ?? DateTimeOffset.UtcNow.AddHours(-1);
        using var certificate = request.CreateSelfSigned(start, start + validity);
        return (certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    /// <summary>Writes <c>cert.pem</c> and <c>key.pem</c> (mode 0600) into <paramref name="directory"/>.</summary>
    public static (string CertificateFile, string KeyFile) Write(string directory, IReadOnlyList<string> names, TimeSpan validity)
    {
        Directory.CreateDirectory(directory);
        var (certificatePem, keyPem) = Create(names, validity);
        var certificateFile = Path.Combine(directory, "cert.pem");
        var keyFile = Path.Combine(directory, "key.pem");
        WriteReplacing(keyFile, keyPem, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        WriteReplacing(certificateFile, certificatePem,
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return (certificateFile, keyFile);
    }

    /// <summary>Writes through a temporary file and a rename, so a reader never sees half a file.</summary>
    internal static void WriteReplacing(string path, string content, UnixFileMode mode)
    {
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = mode,
        }))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
        }

        File.SetUnixFileMode(temporary, mode);
        File.Move(temporary, path, overwrite: true);
    }
}
