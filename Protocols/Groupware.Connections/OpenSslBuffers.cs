using System.Net.Security;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Groupware.Connections;

/// <summary>
/// Sets OpenSSL's <c>SSL_MODE_RELEASE_BUFFERS</c> on a server's <see cref="SslStream"/>: OpenSSL then
/// frees a connection's record buffers (about 16 KiB each way) whenever they are empty, instead of
/// keeping them for the connection's lifetime. A mail server's connections are idle nearly all the
/// time (IMAP IDLE, a phone's push connection), so this is most of what an idle TLS connection costs;
/// nginx and Dovecot set the same mode for the same reason. .NET sets no such mode and offers no
/// API for it, so the SSL handle is taken from SslStream's private context on Linux, where .NET runs
/// TLS on the system's OpenSSL 3, and only when that library is the one loaded in this process: on
/// any other runtime layout nothing is changed and the connection just keeps its buffers.
/// </summary>
public static class OpenSslBuffers
{
    // openssl/ssl.h: SSL_CTRL_MODE and SSL_MODE_RELEASE_BUFFERS; SSL_set_mode is a macro over SSL_ctrl.
    private const int SslCtrlMode = 33;
    private const long SslModeReleaseBuffers = 0x10;
    private const string LibSsl = "libssl.so.3";

    private static readonly FieldInfo? ContextField = Find();

    /// <summary>Whether this process can release the buffers (Linux, .NET's OpenSSL context found, libssl.so.3 loaded).</summary>
    public static bool Available => ContextField is not null;

    /// <summary>Asks OpenSSL to release <paramref name="stream"/>'s buffers while they are empty; false when it could not be asked.</summary>
    public static bool ReleaseWhenIdle(SslStream stream)
    {
        // Microsoft.Win32.SafeHandles.SafeSslHandle holds the SSL*; any other handle type is left alone.
        if (ContextField?.GetValue(stream) is not SafeHandle { IsInvalid: false, IsClosed: false } context
            || context.GetType().FullName != "Microsoft.Win32.SafeHandles.SafeSslHandle")
        {
            return false;
        }

        var added = false;
        try
        {
            context.DangerousAddRef(ref added);
            return (SslCtrl(context.DangerousGetHandle(), SslCtrlMode, SslModeReleaseBuffers, 0) & SslModeReleaseBuffers) != 0;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            if (added)
            {
                context.DangerousRelease();
            }
        }
    }

    private static FieldInfo? Find()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        // The SSL* handed to SSL_ctrl must come from the very library it is handed to: .NET loads
        // libssl lazily, so make it load now, then check that 3.x is the one mapped, and no other.
        _ = System.Security.Cryptography.SHA256.HashData([]);
        try
        {
            var libraries = File.ReadLines("/proc/self/maps")
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(fields => fields.Length >= 6 && Path.GetFileName(fields[5]).StartsWith("libssl.so", StringComparison.Ordinal))
                .Select(fields => Path.GetFileName(fields[5]))
                .Distinct(StringComparer.Ordinal)
                .ToList();
            if (libraries is not [LibSsl] || !NativeLibrary.TryLoad(LibSsl, out _))
            {
                return null;
            }
        }
        catch (IOException)
        {
            return null;
        }

        var field = typeof(SslStream).GetField("_securityContext", BindingFlags.NonPublic | BindingFlags.Instance);
        return field is not null && typeof(SafeHandle).IsAssignableFrom(field.FieldType) ? field : null;
    }

    [DllImport(LibSsl, EntryPoint = "SSL_ctrl")]
    private static extern long SslCtrl(nint ssl, int command, long argument, nint pointer);
}
