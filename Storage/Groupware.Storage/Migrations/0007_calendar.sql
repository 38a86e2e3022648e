-- The calendar store: CalDAV (RFC 4791 on RFC 4918) with collection synchronisation (RFC 6578).
-- Keys follow 0006: account_id first in every primary and foreign key, so that the tables can be
-- distributed by account and colocated with the account's mail.

-- One row per calendar collection of an account (RFC 4791 §4.2), under its calendar home.
CREATE TABLE calendars (
    account_id   bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id           bigint GENERATED ALWAYS AS IDENTITY,
    -- The collection's URL segment under the calendar home: no '/', nothing a client must escape twice.
    name         text NOT NULL CHECK (name ~ '^[A-Za-z0-9_][A-Za-z0-9._@+~-]{0,127}$'),
    display_name text NOT NULL DEFAULT '',
    description  text NOT NULL DEFAULT '',
    -- Apple's calendar-color (#RRGGBB or #RRGGBBAA), as clients write it; NULL when never set.
    color        text CHECK (color IS NULL OR length(color) <= 32),
    -- RFC 4791 §5.2.2 calendar-timezone: a VCALENDAR with one VTIMEZONE, as the client set it; NULL when never set.
    time_zone    text,
    -- Apple's calendar-order: the position clients list the calendar at.
    sort_order   integer NOT NULL DEFAULT 0,
    -- RFC 4791 §5.2.3 supported-calendar-component-set; fixed when the collection is made.
    components   text[] NOT NULL CHECK (cardinality(components) > 0
                                        AND components <@ ARRAY['VEVENT', 'VTODO', 'VJOURNAL']::text[]),
    -- The revision of the last change to the collection or one of its members: the getctag and,
    -- as a URI, the RFC 6578 sync token. Changed only under FOR UPDATE of this row, so every
    -- change of one calendar gets its own revision and writers of one calendar take turns.
    revision     bigint NOT NULL DEFAULT 1 CHECK (revision >= 1),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, id),
    UNIQUE (account_id, name)
);

-- One row per calendar object resource (RFC 4791 §4.1): one iCalendar text, one UID, one
-- component type. The time columns answer calendar-query time ranges (§9.9) from an index; the
-- exact test of the few candidates parses their text.
CREATE TABLE calendar_objects (
    account_id  bigint NOT NULL,
    calendar_id bigint NOT NULL,
    -- The resource's URL segment in its calendar, e.g. 5a1e@example.org.ics.
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 255 AND strpos(name, '/') = 0),
    -- RFC 4791 §4.1: unique within the calendar (the no-uid-conflict precondition, §5.3.2.1).
    uid         text NOT NULL,
    component   text NOT NULL CHECK (component IN ('VEVENT', 'VTODO', 'VJOURNAL')),
    ical        text NOT NULL,
    -- A strong entity tag (RFC 4918 §8.6): the SHA-256 of the text, so equal text means equal tag.
    etag        text NOT NULL,
    size        integer NOT NULL CHECK (size >= 0),
    -- Start of the first occurrence, and end of the last, in UTC (floating times read as UTC).
    -- NULL first_start: the object has no time (a VTODO without DTSTART, DUE or COMPLETED) and
    -- matches every range (RFC 4791 §9.9's table). NULL last_end: open-ended, or recurring past
    -- the bounded pre-expansion done at write time (Groupware.Storage.Calendar.CalendarTime.IndexBounds).
    first_start timestamptz,
    last_end    timestamptz,
    -- The calendar's revision at the object's last change.
    revision    bigint NOT NULL,
    modified_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, calendar_id, name),
    UNIQUE (account_id, calendar_id, uid),
    FOREIGN KEY (account_id, calendar_id) REFERENCES calendars (account_id, id) ON DELETE CASCADE
);

CREATE INDEX calendar_objects_time_range ON calendar_objects (account_id, calendar_id, first_start, last_end);

-- One row per object name ever written in a calendar: the revision of its last change, and
-- whether that change deleted it (a tombstone). RFC 6578 §3.2 sync-collection reports the rows
-- newer than the client's token; tombstones become 404 responses. Kept as long as the calendar.
CREATE TABLE calendar_changes (
    account_id  bigint NOT NULL,
    calendar_id bigint NOT NULL,
    name        text NOT NULL,
    revision    bigint NOT NULL,
    deleted     boolean NOT NULL,
    PRIMARY KEY (account_id, calendar_id, name),
    FOREIGN KEY (account_id, calendar_id) REFERENCES calendars (account_id, id) ON DELETE CASCADE
);

CREATE INDEX calendar_changes_revision ON calendar_changes (account_id, calendar_id, revision);

-- Each account gets a calendar for events and a tasks list (VTODO) when it is created, whoever
-- creates it (groupware user add, the RPC, a test): a trigger, so that no creation path forgets.
CREATE FUNCTION accounts_default_calendars() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO calendars (account_id, name, display_name, components, sort_order)
    VALUES (NEW.id, 'default', 'Calendar', ARRAY['VEVENT'], 0),
           (NEW.id, 'tasks', 'Tasks', ARRAY['VTODO'], 1);
    RETURN NEW;
END
$$;

CREATE TRIGGER accounts_default_calendars AFTER INSERT ON accounts
    FOR EACH ROW EXECUTE FUNCTION accounts_default_calendars();

-- Accounts made before this migration get theirs now.
INSERT INTO calendars (account_id, name, display_name, components, sort_order)
SELECT a.id, d.name, d.display_name, d.components, d.sort_order
FROM accounts a
CROSS JOIN (VALUES ('default', 'Calendar', ARRAY['VEVENT'], 0), ('tasks', 'Tasks', ARRAY['VTODO'], 1))
    AS d (name, display_name, components, sort_order);
