using Groupware.Storage.Mail;

namespace Groupware.Server.Import;

/// <summary>What a Maildir import did to one folder.</summary>
internal sealed record FolderImport(string Name, int Imported, int Skipped, long UidValidity, string? Problem);

/// <summary>
/// Imports a Dovecot Maildir++ tree into one account: each folder becomes the mailbox of that name
/// with Dovecot's UIDVALIDITY and UIDs, flags and keywords, internal dates from the files' times
/// (Dovecot's received date for Maildir), and the subscriptions. Batches commit one at a time, so
/// an interrupted run keeps what it committed and the next run carries on after it; a second run
/// of a finished import stores nothing.
/// </summary>
internal sealed class MaildirImporter(MailStore store, string spoolDirectory, TextWriter progress, TimeProvider time)
{
    /// <summary>Messages per transaction: big enough to amortise the commit, small enough that a resumed run repeats little.</summary>
    private const int BatchMessages = 200;

    /// <summary>Octets per transaction, so that a batch of large messages stays a short transaction.</summary>
    private const long BatchBytes = 32L * 1024 * 1024;

    /// <summary>How often a long run reports how far it is.</summary>
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    public async Task<IReadOnlyList<FolderImport>> ImportAsync(long accountId, string root, CancellationToken cancellationToken)
    {
        var folders = Maildir.ReadFolders(root);
        var results = new List<FolderImport>();
        foreach (var folder in folders)
        {
            results.Add(await ImportFolderAsync(accountId, folder, cancellationToken));
        }

        var imported = folders.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in Maildir.ReadSubscriptions(root, imported))
        {
            await store.SetSubscribedAsync(accountId, name, true, cancellationToken);
        }

        return results;
    }

    private async Task<FolderImport> ImportFolderAsync(long accountId, MaildirFolder folder, CancellationToken cancellationToken)
    {
        var prepared = await store.PrepareImportAsync(accountId, folder.Name, folder.UidValidity, cancellationToken);
        if (prepared is not { Status: ImportMailboxStatus.Ready, Mailbox: { } mailbox })
        {
            var problem = prepared.Status == ImportMailboxStatus.UidValidityConflict
                ? $"already holds messages under UIDVALIDITY {prepared.Mailbox!.UidValidity}, not the source's {folder.UidValidity}; nothing imported"
                : "is not a valid mailbox name; nothing imported";
            return new FolderImport(folder.Name, 0, folder.Messages.Count, prepared.Mailbox?.UidValidity ?? 0, problem);
        }

        int imported = 0, skipped = 0, done = 0;
        var lastReport = time.GetTimestamp();
        var batch = new List<ImportedMessage>();
        long batchBytes = 0;
        try
        {
            foreach (var message in folder.Messages)
            {
                // A message behind the mailbox's UIDNEXT is imported already: not even read again.
                if (message.Uid > 0 && message.Uid < mailbox.UidNext)
                {
                    skipped++;
                    done++;
                    continue;
                }

                var incoming = await SpoolAsync(message.Path, cancellationToken);
                batch.Add(new ImportedMessage(message.Uid, new AppendedMessage(incoming, message.Flags, message.Keywords,
                    new DateTimeOffset(File.GetLastWriteTimeUtc(message.Path), TimeSpan.Zero))));
                batchBytes += incoming.Size;
                if (batch.Count >= BatchMessages || batchBytes >= BatchBytes)
                {
                    (imported, skipped) = await CommitAsync(accountId, mailbox.Id, batch, folder.NextUid, imported, skipped, cancellationToken);
                    done += batch.Count;
                    await ReleaseAsync(batch);
                    batchBytes = 0;
                }

                if (time.GetElapsedTime(lastReport) >= ProgressInterval)
                {
                    lastReport = time.GetTimestamp();
                    await progress.WriteLineAsync($"{folder.Name}: {done + batch.Count}/{folder.Messages.Count} messages read, {imported} imported");
                }
            }

            (imported, skipped) = await CommitAsync(accountId, mailbox.Id, batch, folder.NextUid, imported, skipped, cancellationToken);
        }
        finally
        {
            await ReleaseAsync(batch);
        }

        return new FolderImport(folder.Name, imported, skipped, mailbox.UidValidity, null);
    }

    private async Task<(int Imported, int Skipped)> CommitAsync(long accountId, long mailboxId, List<ImportedMessage> batch, long sourceUidNext,
        int imported, int skipped, CancellationToken cancellationToken)
    {
        var result = await store.ImportAsync(accountId, mailboxId, batch, sourceUidNext, cancellationToken);
        return (imported + result.Imported, skipped + result.Skipped);
    }

    private static async Task ReleaseAsync(List<ImportedMessage> batch)
    {
        foreach (var message in batch)
        {
            await message.Message.Message.DisposeAsync();
        }

        batch.Clear();
    }

    /// <summary>The file's octets as the store takes them (line ends made CRLF); no size limit, since the user already had this mail.</summary>
    private async Task<IncomingMessage> SpoolAsync(string path, CancellationToken cancellationToken)
    {
        var incoming = IncomingMessage.Create(spoolDirectory, long.MaxValue);
        try
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024, useAsync: true);
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await file.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await incoming.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }

            await incoming.CompleteAsync(cancellationToken);
            if (incoming.SpoolError is { } error)
            {
                throw new IOException($"the spool in {spoolDirectory} failed: {error.Message}", error);
            }

            return incoming;
        }
        catch
        {
            await incoming.DisposeAsync();
            throw;
        }
    }
}
