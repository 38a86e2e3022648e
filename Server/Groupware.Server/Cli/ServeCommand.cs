using System.CommandLine;
using System.Runtime.InteropServices;
using Groupware.Server.Hosting;

namespace Groupware.Server.Cli;

/// <summary><c>groupware serve</c>: runs the node until SIGTERM or SIGINT.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve", "Start the node: every configured listener, until SIGTERM or SIGINT");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var options = CliConfig.Load(parse.GetValue(GroupwareCommand.ConfigOption)!, error, out _);
            if (options is null)
            {
                return GroupwareHost.ExConfig;
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            GroupwareHost host;
            try
            {
                host = await GroupwareHost.StartAsync(options, null, stop.Token);
            }
            catch (StartupException e)
            {
                CliConfig.Print(e.Problems, error);
                return e.ExitCode;
            }

            await using (host)
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    // SIGTERM/SIGINT: fall through to the graceful stop.
                }

                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(options.Limits.ShutdownTimeoutSeconds + 5));
                await host.StopAsync(grace.Token);
            }

            return 0;

            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                try
                {
                    stop.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The runtime runs signal handlers on a thread of their own: one can start after the
                    // node has stopped (System.CommandLine's own SIGTERM handler cancelled it first) and
                    // its registration is gone. There is nothing left to stop.
                }
            }
        });
        return command;
    }
}
