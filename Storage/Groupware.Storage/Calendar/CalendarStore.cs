using Dapper;
using Npgsql;

namespace Groupware.Storage.Calendar;

/// <summary>
/// A calendar collection of an account (RFC 4791 §4.2). <c>Revision</c> is the revision of its last
/// change: the getctag, and the number in its sync token (RFC 6578).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "RFC 4791's own term: a calendar collection")]
public sealed record CalendarCollection(long AccountId, long Id, string Name, string DisplayName, string Description, string? Color,
    string? TimeZone, int SortOrder, string ComponentList, long Revision)
{
    /// <summary>The supported-calendar-component-set (RFC 4791 §5.2.3): VEVENT, VTODO, VJOURNAL.</summary>
    public IReadOnlyList<string> Components => ComponentList.Split(',');
}

/// <summary>A calendar object resource without its text: what PROPFIND and sync-collection list.</summary>
public sealed record CalendarObjectInfo(string Name, string Uid, string Component, string ETag, int Size, long Revision, DateTime ModifiedAt);

/// <summary>A calendar object resource with its iCalendar text.</summary>
public sealed record CalendarObject(string Name, string Uid, string Component, string ETag, int Size, long Revision, DateTime ModifiedAt,
    string Ical);

/// <summary>The properties PROPPATCH and MKCALENDAR may set; null leaves one as it is.</summary>
public sealed record CalendarProperties(string? DisplayName = null, string? Description = null, string? Color = null, int? SortOrder = null,
    string? TimeZone = null);

/// <summary>What a client's precondition on a write says (RFC 9110 §13.1.1 and §13.1.2).</summary>
/// <param name="IfMatch">The entity tags of If-Match, or ["*"]; null when absent.</param>
/// <param name="IfNoneMatchAny">If-None-Match: * (create only).</param>
public sealed record WriteCondition(IReadOnlyList<string>? IfMatch = null, bool IfNoneMatchAny = false)
{
    public static readonly WriteCondition None = new();

    /// <summary>Whether the condition holds for a resource whose current tag is <paramref name="etag"/> (null: it does not exist).</summary>
    public bool HoldsFor(string? etag)
    {
        if (IfNoneMatchAny && etag is not null)
        {
            return false;
        }

        return IfMatch is null || (etag is not null && IfMatch.Any(t => t == "*" || t == etag));
    }
}

/// <summary>How a PUT of a calendar object ended.</summary>
public enum PutOutcome
{
    Created,
    Replaced,

    /// <summary>If-Match or If-None-Match did not hold at the moment of writing (RFC 9110 §13.1: 412).</summary>
    PreconditionFailed,

    /// <summary>Another object of the calendar has this UID (RFC 4791 §5.3.2.1 no-uid-conflict).</summary>
    UidConflict,

    /// <summary>The calendar does not exist (any more).</summary>
    NoCalendar,

    /// <summary>The write would take the account past its quota (RFC 4331 §6 DAV:quota-not-exceeded: 507).</summary>
    OverQuota,
}

/// <summary>The answer of <see cref="CalendarStore.PutObjectAsync"/>: the outcome, the new entity tag, or the name of the object holding the UID.</summary>
public sealed record PutResult(PutOutcome Outcome, string? ETag = null, string? ConflictingName = null);

/// <summary>
/// The answer of <see cref="CalendarStore.MergeObjectsAsync"/>: whether it was applied (false: no such
/// calendar, or its revision was not the expected one), what changed, and the calendar's revision after.
/// </summary>
public sealed record MergeResult(bool Applied, int Added, int Replaced, int Deleted, long Revision, bool OverQuota = false);

/// <summary>How a DELETE ended.</summary>
public enum DeleteOutcome
{
    Deleted,
    NotFound,
    PreconditionFailed,
}

/// <summary>One member changed after a sync token (RFC 6578 §3.2): its name, and its tag unless it was deleted.</summary>
public sealed record CalendarChange(string Name, bool Deleted, string? ETag, long Revision);

/// <summary>
/// Calendars and their objects in PostgreSQL (0007_calendar.sql). Every change to a calendar or a
/// member takes the calendar row FOR UPDATE first and raises its revision by one; the object rows
/// and the change log row are written under that lock, so revisions within a calendar are gap-free
/// in commit order, a sync token is a plain number, and two writers of one href or one UID take
/// turns (the second sees the first's result: 412 or no-uid-conflict, never a lost update).
/// Calendar data counts against the account's one quota, with its mail (0010_calendar_quota.sql):
/// each write changes <c>accounts.used_bytes</c> by the octets it adds or frees in the same
/// transaction, as the mail store does, taking the account row last, after the calendar rows, as
/// the mail store takes it after the mailbox rows; so the two never wait for each other in a circle.
/// </summary>
public sealed class CalendarStore(NpgsqlDataSource dataSource)
{
    private const string SelectCalendar = """
        SELECT account_id AS accountid, id, name, display_name AS displayname, description, color, time_zone AS timezone,
               sort_order AS sortorder, array_to_string(components, ',') AS componentlist, revision
        FROM calendars
        """;

    private const string ObjectColumns = "name, uid, component, etag, size, revision, modified_at AS modifiedat";

    // Writes one object at revision @next, with its change log row and the calendar's revision (under the calendar's lock).
    private const string UpsertObject = """
        INSERT INTO calendar_objects (account_id, calendar_id, name, uid, component, ical, etag, size, first_start, last_end, revision)
        VALUES (@accountId, @calendarId, @name, @uid, @component, @ical, @etag, @size, @firstStart, @lastEnd, @next)
        ON CONFLICT (account_id, calendar_id, name) DO UPDATE
            SET uid = EXCLUDED.uid, component = EXCLUDED.component, ical = EXCLUDED.ical, etag = EXCLUDED.etag, size = EXCLUDED.size,
                first_start = EXCLUDED.first_start, last_end = EXCLUDED.last_end, revision = EXCLUDED.revision, modified_at = now();
        INSERT INTO calendar_changes (account_id, calendar_id, name, revision, deleted) VALUES (@accountId, @calendarId, @name, @next, false)
        ON CONFLICT (account_id, calendar_id, name) DO UPDATE SET revision = EXCLUDED.revision, deleted = false;
        UPDATE calendars SET revision = @next WHERE account_id = @accountId AND id = @calendarId;
        """;

    // Deletes one object at revision @next, leaving its tombstone (under the calendar's lock).
    private const string DeleteObject = """
        DELETE FROM calendar_objects WHERE account_id = @accountId AND calendar_id = @calendarId AND name = @name;
        UPDATE calendar_changes SET revision = @next, deleted = true WHERE account_id = @accountId AND calendar_id = @calendarId AND name = @name;
        UPDATE calendars SET revision = @next WHERE account_id = @accountId AND id = @calendarId;
        """;

    // Changes the account's usage by @delta octets; a growth only while it stays within the quota (no row then).
    private const string ChargeQuota = """
        UPDATE accounts SET used_bytes = GREATEST(0, used_bytes + @delta)
        WHERE id = @accountId AND (@delta <= 0 OR quota_bytes IS NULL OR used_bytes + @delta <= quota_bytes)
        """;

    /// <summary>The account's calendars, in the order clients should list them.</summary>
    public async Task<IReadOnlyList<CalendarCollection>> ListCalendarsAsync(long accountId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. await connection.QueryAsync<CalendarCollection>(new CommandDefinition(
            SelectCalendar + " WHERE account_id = @accountId ORDER BY sort_order, name", new { accountId }, cancellationToken: cancellationToken))];
    }

    public async Task<CalendarCollection?> FindCalendarAsync(long accountId, string name, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<CalendarCollection>(new CommandDefinition(
            SelectCalendar + " WHERE account_id = @accountId AND name = @name", new { accountId, name }, cancellationToken: cancellationToken));
    }

    /// <summary>Whether <paramref name="name"/> may name a calendar (the CHECK of calendars.name).</summary>
    public static bool IsValidCalendarName(string name) =>
        name.Length is > 0 and <= 128 && (char.IsAsciiLetterOrDigit(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '@' or '+' or '~' or '-');

    /// <summary>Whether <paramref name="name"/> may name a calendar object (the CHECK of calendar_objects.name).</summary>
    public static bool IsValidObjectName(string name) =>
        name.Length is > 0 and <= 255 && !name.Contains('/', StringComparison.Ordinal) && name is not ("." or "..") && !name.Any(char.IsControl);

    /// <summary>Creates a calendar (MKCALENDAR, RFC 4791 §5.3.1); null when the name is taken.</summary>
    public async Task<CalendarCollection?> CreateCalendarAsync(long accountId, string name, IReadOnlyList<string> components,
        CalendarProperties properties, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            return await connection.QuerySingleAsync<CalendarCollection>(new CommandDefinition("""
                INSERT INTO calendars (account_id, name, display_name, description, color, time_zone, sort_order, components)
                VALUES (@accountId, @name, COALESCE(@displayName, @name), COALESCE(@description, ''), @color, @timeZone,
                        COALESCE(@sortOrder, (SELECT COALESCE(max(sort_order) + 1, 0) FROM calendars WHERE account_id = @accountId)),
                        @components)
                RETURNING account_id AS accountid, id, name, display_name AS displayname, description, color, time_zone AS timezone,
                          sort_order AS sortorder, array_to_string(components, ',') AS componentlist, revision
                """,
                new
                {
                    accountId, name, properties.DisplayName, properties.Description, properties.Color, properties.TimeZone, properties.SortOrder,
                    components = components.ToArray(),
                }, cancellationToken: cancellationToken));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return null;
        }
    }

    /// <summary>Sets the given properties (PROPPATCH, RFC 4918 §9.2) and moves the revision, so getctag shows the change.</summary>
    public async Task<bool> UpdateCalendarAsync(long accountId, long calendarId, CalendarProperties properties, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE calendars SET display_name = COALESCE(@displayName, display_name), description = COALESCE(@description, description),
                                 color = CASE WHEN @color::text IS NULL THEN color WHEN @color = '' THEN NULL ELSE @color END,
                                 time_zone = CASE WHEN @timeZone::text IS NULL THEN time_zone WHEN @timeZone = '' THEN NULL ELSE @timeZone END, sort_order = COALESCE(@sortOrder, sort_order),
                                 revision = revision + 1
            WHERE account_id = @accountId AND id = @calendarId
            """,
            new { accountId, calendarId, properties.DisplayName, properties.Description, properties.Color, properties.TimeZone, properties.SortOrder },
            cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>Deletes a calendar with its objects and change log (DELETE of the collection, RFC 4918 §9.6.1).</summary>
    public async Task<bool> DeleteCalendarAsync(long accountId, long calendarId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await LockCalendarAsync(connection, transaction, accountId, calendarId, cancellationToken) is null)
        {
            return false;
        }

        var freed = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COALESCE(sum(size), 0) FROM calendar_objects WHERE account_id = @accountId AND calendar_id = @calendarId",
            new { accountId, calendarId }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM calendars WHERE account_id = @accountId AND id = @calendarId", new { accountId, calendarId }, transaction,
            cancellationToken: cancellationToken));
        await ChargeAsync(connection, transaction, accountId, -freed, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Every object of a calendar, without text (PROPFIND Depth 1).</summary>
    public async Task<IReadOnlyList<CalendarObjectInfo>> ListObjectsAsync(long accountId, long calendarId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. await connection.QueryAsync<CalendarObjectInfo>(new CommandDefinition(
            $"SELECT {ObjectColumns} FROM calendar_objects WHERE account_id = @accountId AND calendar_id = @calendarId ORDER BY name",
            new { accountId, calendarId }, cancellationToken: cancellationToken))];
    }

    /// <summary>The objects of a calendar with these names, with text (GET, calendar-multiget); missing names are left out.</summary>
    public async Task<IReadOnlyList<CalendarObject>> GetObjectsAsync(long accountId, long calendarId, IReadOnlyList<string> names,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. await connection.QueryAsync<CalendarObject>(new CommandDefinition(
            $"SELECT {ObjectColumns}, ical FROM calendar_objects WHERE account_id = @accountId AND calendar_id = @calendarId AND name = ANY (@names)",
            new { accountId, calendarId, names = names.ToArray() }, cancellationToken: cancellationToken))];
    }

    public async Task<CalendarObject?> GetObjectAsync(long accountId, long calendarId, string name, CancellationToken cancellationToken) =>
        (await GetObjectsAsync(accountId, calendarId, [name], cancellationToken)) is [var found, ..] ? found : null;

    /// <summary>
    /// The objects of one component type whose indexed bounds overlap [<paramref name="start"/>,
    /// <paramref name="end"/>) (null: unbounded), with text: candidates for the exact test of RFC 4791
    /// §9.9. Objects without time, and open-ended ones, are always candidates.
    /// </summary>
    public async Task<IReadOnlyList<CalendarObject>> FindCandidatesAsync(long accountId, long calendarId, string? component, DateTime? start,
        DateTime? end, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. await connection.QueryAsync<CalendarObject>(new CommandDefinition($"""
            SELECT {ObjectColumns}, ical FROM calendar_objects
            WHERE account_id = @accountId AND calendar_id = @calendarId
              AND (@component::text IS NULL OR component = @component)
              AND (first_start IS NULL
                   OR ((@end::timestamptz IS NULL OR first_start < @end)
                       AND (@start::timestamptz IS NULL OR last_end IS NULL OR last_end > @start OR (last_end = first_start AND first_start >= @start))))
            ORDER BY name
            """,
            new { accountId, calendarId, component, start = Utc(start), end = Utc(end) }, cancellationToken: cancellationToken))];
    }

    /// <summary>
    /// Writes an object (PUT, RFC 4791 §5.3.2) under the calendar's lock, checking the client's
    /// condition against what is there at that moment and the UID against every other object.
    /// </summary>
    public async Task<PutResult> PutObjectAsync(long accountId, long calendarId, string name, CalendarObjectContent content, WriteCondition condition,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var revision = await LockCalendarAsync(connection, transaction, accountId, calendarId, cancellationToken);
        if (revision is null)
        {
            return new PutResult(PutOutcome.NoCalendar);
        }

        var existing = await connection.QuerySingleOrDefaultAsync<ExistingObject>(new CommandDefinition(
            "SELECT etag, uid, size FROM calendar_objects WHERE account_id = @accountId AND calendar_id = @calendarId AND name = @name",
            new { accountId, calendarId, name }, transaction, cancellationToken: cancellationToken));
        var current = existing?.ETag;
        if (!condition.HoldsFor(current))
        {
            return new PutResult(PutOutcome.PreconditionFailed);
        }

        if (existing is { } replaced && replaced.Uid != content.Uid)
        {
            // RFC 4791 §5.3.2.1: replacing an object with one of another UID is a conflict too.
            return new PutResult(PutOutcome.UidConflict, ConflictingName: name);
        }

        var holder = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT name FROM calendar_objects WHERE account_id = @accountId AND calendar_id = @calendarId AND uid = @uid AND name <> @name",
            new { accountId, calendarId, uid = content.Uid, name }, transaction, cancellationToken: cancellationToken));
        if (holder is not null)
        {
            return new PutResult(PutOutcome.UidConflict, ConflictingName: holder);
        }

        if (!await ChargeAsync(connection, transaction, accountId, content.Size - (existing?.Size ?? 0), cancellationToken))
        {
            return new PutResult(PutOutcome.OverQuota);
        }

        var next = revision.Value + 1;
        await connection.ExecuteAsync(new CommandDefinition(UpsertObject,
            new
            {
                accountId, calendarId, name, uid = content.Uid, component = content.Component, ical = content.Text, etag = content.ETag,
                size = content.Size, firstStart = Utc(content.FirstStart), lastEnd = Utc(content.LastEnd), next,
            }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return new PutResult(current is null ? PutOutcome.Created : PutOutcome.Replaced, content.ETag);
    }

    /// <summary>Deletes an object (DELETE, RFC 4918 §9.6) and leaves a tombstone for sync-collection.</summary>
    public async Task<DeleteOutcome> DeleteObjectAsync(long accountId, long calendarId, string name, WriteCondition condition,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await LockCalendarAsync(connection, transaction, accountId, calendarId, cancellationToken) is not { } revision)
        {
            return DeleteOutcome.NotFound;
        }

        var current = await connection.QuerySingleOrDefaultAsync<ExistingObject>(new CommandDefinition(
            "SELECT etag, uid, size FROM calendar_objects WHERE account_id = @accountId AND calendar_id = @calendarId AND name = @name",
            new { accountId, calendarId, name }, transaction, cancellationToken: cancellationToken));
        if (current is null)
        {
            return DeleteOutcome.NotFound;
        }

        if (!condition.HoldsFor(current.ETag))
        {
            return DeleteOutcome.PreconditionFailed;
        }

        await connection.ExecuteAsync(new CommandDefinition(DeleteObject, new { accountId, calendarId, name, next = revision + 1 }, transaction,
            cancellationToken: cancellationToken));
        await ChargeAsync(connection, transaction, accountId, -current.Size, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return DeleteOutcome.Deleted;
    }

    /// <summary>
    /// The members changed after <paramref name="sinceRevision"/> (0: every member there is, no
    /// tombstones), oldest first, at most <paramref name="limit"/>; and the revision the answer is
    /// complete up to, which the client's next token carries (RFC 6578 §3.2).
    /// </summary>
    public async Task<(IReadOnlyList<CalendarChange> Changes, long Revision, bool Truncated)> ChangesSinceAsync(long accountId, long calendarId,
        long sinceRevision, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var revision = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "SELECT revision FROM calendars WHERE account_id = @accountId AND id = @calendarId", new { accountId, calendarId }, transaction,
            cancellationToken: cancellationToken)) ?? 0;
        var changes = (await connection.QueryAsync<CalendarChange>(new CommandDefinition("""
            SELECT c.name, c.deleted, o.etag, c.revision
            FROM calendar_changes c
            LEFT JOIN calendar_objects o ON o.account_id = c.account_id AND o.calendar_id = c.calendar_id AND o.name = c.name
            WHERE c.account_id = @accountId AND c.calendar_id = @calendarId AND c.revision > @sinceRevision
              AND (@sinceRevision > 0 OR NOT c.deleted)
            ORDER BY c.revision
            LIMIT @take
            """, new { accountId, calendarId, sinceRevision, take = limit + 1 }, transaction, cancellationToken: cancellationToken))).ToList();
        await transaction.CommitAsync(cancellationToken);
        if (changes.Count > limit)
        {
            // Truncated (RFC 6578 §3.6): the token then covers exactly what was listed.
            changes.RemoveAt(changes.Count - 1);
            return (changes, changes[changes.Count - 1].Revision, true);
        }

        return (changes, revision, false);
    }

    /// <summary>
    /// Replaces a calendar's content with <paramref name="contents"/> by UID, in one transaction (the
    /// whole-calendar PUT of zarafa-ical): objects whose UID is new are added, those whose text changed
    /// are replaced at their href, those whose UID is missing are deleted (with tombstones). Each change
    /// takes its own revision, as single writes do. <paramref name="expectedRevision"/>, when given,
    /// must be the calendar's revision at the moment of writing (the client's If-Match).
    /// </summary>
    public async Task<MergeResult> MergeObjectsAsync(long accountId, long calendarId, IReadOnlyList<CalendarObjectContent> contents,
        long? expectedRevision, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await LockCalendarAsync(connection, transaction, accountId, calendarId, cancellationToken) is not { } revision)
        {
            return new MergeResult(false, 0, 0, 0, 0);
        }

        if (expectedRevision is { } expected && expected != revision)
        {
            return new MergeResult(false, 0, 0, 0, revision);
        }

        var existing = (await connection.QueryAsync<ExistingByUid>(new CommandDefinition(
            "SELECT uid, name, etag, size FROM calendar_objects WHERE account_id = @accountId AND calendar_id = @calendarId",
            new { accountId, calendarId }, transaction, cancellationToken: cancellationToken))).ToDictionary(e => e.Uid, StringComparer.Ordinal);
        var names = existing.Values.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        int added = 0, replaced = 0, deleted = 0;
        long delta = 0;
        foreach (var content in contents)
        {
            string name;
            if (existing.Remove(content.Uid, out var current))
            {
                if (current.ETag == content.ETag)
                {
                    continue;
                }

                name = current.Name;
                replaced++;
                delta -= current.Size;
            }
            else
            {
                name = NameFor(content.Uid, names);
                names.Add(name);
                added++;
            }

            revision++;
            delta += content.Size;
            await connection.ExecuteAsync(new CommandDefinition(UpsertObject, new
            {
                accountId, calendarId, name, uid = content.Uid, component = content.Component, ical = content.Text, etag = content.ETag,
                size = content.Size, firstStart = Utc(content.FirstStart), lastEnd = Utc(content.LastEnd), next = revision,
            }, transaction, cancellationToken: cancellationToken));
        }

        foreach (var gone in existing.Values)
        {
            revision++;
            deleted++;
            delta -= gone.Size;
            await connection.ExecuteAsync(new CommandDefinition(DeleteObject, new { accountId, calendarId, name = gone.Name, next = revision },
                transaction, cancellationToken: cancellationToken));
        }

        // The whole upload counts at once: it may replace large objects with small ones on its way.
        if (!await ChargeAsync(connection, transaction, accountId, delta, cancellationToken))
        {
            return new MergeResult(false, 0, 0, 0, revision, OverQuota: true);
        }

        await transaction.CommitAsync(cancellationToken);
        return new MergeResult(true, added, replaced, deleted, revision);
    }

    /// <summary>
    /// COPY or MOVE of an object (RFC 4918 §9.8, §9.9; RFC 4791 §5.3.2.1) to <paramref name="targetName"/>
    /// in <paramref name="targetCalendarId"/> (the same calendar or another of the account), in one
    /// transaction under both calendars' locks, taken in id order as every writer takes them. The UID
    /// check sees the target calendar as it will be (a MOVE within one calendar leaves its source).
    /// </summary>
    public async Task<PutResult> CopyObjectAsync(long accountId, long sourceCalendarId, string sourceName, long targetCalendarId, string targetName,
        bool overwrite, bool move, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var revisions = new Dictionary<long, long>();
        foreach (var id in new[] { sourceCalendarId, targetCalendarId }.Distinct().Order())
        {
            if (await LockCalendarAsync(connection, transaction, accountId, id, cancellationToken) is not { } locked)
            {
                return new PutResult(PutOutcome.NoCalendar);
            }

            revisions[id] = locked;
        }

        var source = await connection.QuerySingleOrDefaultAsync<StoredObject>(new CommandDefinition(
            "SELECT uid, component, ical, etag, size, first_start AS firststart, last_end AS lastend FROM calendar_objects "
            + "WHERE account_id = @accountId AND calendar_id = @sourceCalendarId AND name = @sourceName",
            new { accountId, sourceCalendarId, sourceName }, transaction, cancellationToken: cancellationToken));
        if (source is null)
        {
            return new PutResult(PutOutcome.NoCalendar);
        }

        var existing = await connection.QuerySingleOrDefaultAsync<ExistingObject>(new CommandDefinition(
            "SELECT etag, uid, size FROM calendar_objects WHERE account_id = @accountId AND calendar_id = @targetCalendarId AND name = @targetName",
            new { accountId, targetCalendarId, targetName }, transaction, cancellationToken: cancellationToken));
        if (existing is not null && !overwrite)
        {
            return new PutResult(PutOutcome.PreconditionFailed);
        }

        if (existing is not null && existing.Uid != source.Uid)
        {
            return new PutResult(PutOutcome.UidConflict, ConflictingName: targetName);
        }

        var holder = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT name FROM calendar_objects WHERE account_id = @accountId AND calendar_id = @targetCalendarId AND uid = @uid AND name <> @targetName "
            + "AND NOT (@move AND calendar_id = @sourceCalendarId AND name = @sourceName)",
            new { accountId, targetCalendarId, sourceCalendarId, sourceName, targetName, uid = source.Uid, move }, transaction,
            cancellationToken: cancellationToken));
        if (holder is not null)
        {
            return new PutResult(PutOutcome.UidConflict, ConflictingName: holder);
        }

        // A COPY adds the object's octets; a MOVE adds none; either frees what it overwrites.
        if (!await ChargeAsync(connection, transaction, accountId, (move ? 0 : source.Size) - (existing?.Size ?? 0), cancellationToken))
        {
            return new PutResult(PutOutcome.OverQuota);
        }

        if (move)
        {
            // First, so that a MOVE within one calendar does not hold its UID twice for a moment.
            revisions[sourceCalendarId]++;
            await connection.ExecuteAsync(new CommandDefinition(DeleteObject,
                new { accountId, calendarId = sourceCalendarId, name = sourceName, next = revisions[sourceCalendarId] }, transaction,
                cancellationToken: cancellationToken));
        }

        revisions[targetCalendarId]++;
        await connection.ExecuteAsync(new CommandDefinition(UpsertObject, new
        {
            accountId, calendarId = targetCalendarId, name = targetName, uid = source.Uid, component = source.Component, ical = source.Ical,
            etag = source.ETag, size = source.Size, firstStart = Utc(source.FirstStart), lastEnd = Utc(source.LastEnd), next = revisions[targetCalendarId],
        }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return new PutResult(existing is null ? PutOutcome.Created : PutOutcome.Replaced, source.ETag);
    }

    private sealed record StoredObject(string Uid, string Component, string Ical, string ETag, int Size, DateTime? FirstStart, DateTime? LastEnd);

    /// <summary>The href segment of a new object: its UID where that is a safe name not yet taken, a fresh one otherwise.</summary>
    private static string NameFor(string uid, HashSet<string> taken)
    {
        var name = uid + ".ics";
        return IsValidObjectName(name) && !taken.Contains(name) && uid.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '@')
            ? name
            : Guid.NewGuid().ToString("N") + ".ics";
    }

    private sealed record ExistingByUid(string Uid, string Name, string ETag, int Size);

    /// <summary>Takes the calendar row FOR UPDATE; returns its revision, or null when there is no such calendar.</summary>
    private static async Task<long?> LockCalendarAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long accountId, long calendarId,
        CancellationToken cancellationToken) =>
        await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "SELECT revision FROM calendars WHERE account_id = @accountId AND id = @calendarId FOR UPDATE", new { accountId, calendarId },
            transaction, cancellationToken: cancellationToken));

    private sealed record ExistingObject(string ETag, string Uid, int Size);

    /// <summary>Changes the account's usage by <paramref name="delta"/> octets; false, changing nothing, when a growth would pass the quota.</summary>
    private static async Task<bool> ChargeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long accountId, long delta,
        CancellationToken cancellationToken) =>
        delta == 0 || await connection.ExecuteAsync(new CommandDefinition(ChargeQuota, new { accountId, delta }, transaction,
            cancellationToken: cancellationToken)) == 1 || delta < 0;

    private static DateTime? Utc(DateTime? value) => value is { } v ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : null;
}
