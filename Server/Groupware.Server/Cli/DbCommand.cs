using System.CommandLine;
using Groupware.Server.Hosting;
using Groupware.Server.Logging;
using Groupware.Storage;
using Groupware.Storage.Migrations;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Groupware.Server.Cli;

/// <summary><c>groupware db migrate</c>: applies pending migrations (every node also does at start-up).</summary>
internal static class DbCommand
{
    public static Command Create()
    {
        var migrate = new Command("migrate", "Apply pending database migrations under the advisory lock, then exit");
        migrate.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var options = CliConfig.Load(parse.GetValue(GroupwareCommand.ConfigOption)!, error, out _);
            if (options is null)
            {
                return GroupwareHost.ExConfig;
            }

            using var loggerFactory = NodeLogging.CreateFactory(options.Node.Name, options.Node.AllowPlaintextAuth);
            await using var dataSource = Database.CreateDataSource(options.ConnectionString, options.Node.Name);
            try
            {
                var applied = await new Migrator(dataSource, loggerFactory.CreateLogger<Migrator>()).MigrateAsync(cancellationToken);
                output.WriteLine(applied.Count == 0
                    ? $"database is up to date ({Migrator.All.Count} migration(s))"
                    : $"applied {applied.Count} migration(s): {string.Join(", ", applied.Select(v => v.ToString("D4", System.Globalization.CultureInfo.InvariantCulture)))}");
                return 0;
            }
            catch (Exception e) when (Groupware.Storage.DatabaseFailure.IsUnavailable(e))
            {
                await error.WriteLineAsync($"Database:ConnectionString: the database is unreachable: {e.Message}");
                return GroupwareHost.ExUnavailable;
            }
        });

        var db = new Command("db", "Database tools");
        db.Subcommands.Add(migrate);
        return db;
    }
}
