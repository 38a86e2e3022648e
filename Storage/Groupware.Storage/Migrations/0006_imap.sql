-- The mail store made ready for IMAP (RFC 9051, CONDSTORE of RFC 7162, SPECIAL-USE of RFC 6154)
-- and for distribution by account (Citus).
--
-- Keys. Every table of one account's mail now has account_id first in its primary key and in
-- every foreign key, so that the tables can be distributed by account_id and colocated: each
-- account's mailboxes, messages, keywords, subscriptions and expunge records live on one shard,
-- and every statement the store runs names the account, so it is routed to that shard alone.
-- Citus allows a foreign key between distributed tables only when both are colocated and the key
-- includes the distribution column; hence (account_id, mailbox_id) rather than mailbox_id alone.
-- Per table, what is and is not user data of one account:
--   accounts          keyed by id, which is the account_id of every other table: distributed by
--                     id. login_key is unique across accounts, which a distributed table cannot
--                     enforce; when the schema is distributed the login lookup moves to a table
--                     of its own (or accounts becomes a reference table). Left as it is.
--   account_addresses keyed by address: the directory that finds the account for an address
--                     before any account is known, unique across accounts. A reference table
--                     under Citus; its foreign key to accounts would then go (Citus has no
--                     foreign key from a reference table to a distributed one). Left as it is.
--   auth_attempts,    the audit log and block list of the whole installation, keyed by attempt
--   auth_blocks       and by network; a login may name no account. Not user data of one account.
--   maildrop_leases   already keyed by account_id alone.
--   blobs,            shared content, deliberately owned by no account (below); distributed by
--   blob_chunks       blob id, colocated with each other but not with the accounts.
--
-- Blobs: shared content plus per-account references. A message delivered to 50 local recipients
-- is still one blobs row (and its chunks); each account that uses a content has one
-- blob_references row, and its messages reference (account_id, blob_id) there. Why not blobs per
-- account: mailing lists, announcements and large attachments sent inside an organisation are the
-- mail a hosting provider sees most, and storing them once per recipient multiplies exactly the
-- largest content. Why the reference rows: the foreign key from messages stays within one account
-- (colocated, so Citus keeps it), "which content does this account use" is an index lookup on its
-- own shard (account deletion, quota audits, export), and only the last reference of an account
-- ever looks at the shared row. The one foreign key that crosses accounts, blob_references ->
-- blobs, is the one Citus would not keep between distributed tables: at distribution time it is
-- dropped, and the store's locks below (which are what make removal safe even now; the key is a
-- second line of defence) carry on alone.
--
-- Removing the last reference without a race. The blobs row is the one lock every writer of
-- references to that content takes first:
--   * a writer that adds a reference (delivery, APPEND) inserts the blobs row or takes it FOR KEY
--     SHARE, and holds that until it commits; COPY and MOVE add messages to references their
--     account already holds, under the lock of the source mailbox, whose messages keep them alive;
--   * a writer that may remove a reference (expunge, DELETE of a mailbox, deletion of an account)
--     takes the blobs rows of the messages it removes FOR UPDATE before any other lock, removes
--     the messages, then, in later statements (which see every commit before them), deletes the
--     account's references no message of the account uses any more, and then the blobs rows no
--     reference names (the chunks go by cascade).
-- FOR UPDATE conflicts with FOR KEY SHARE, so no reference can be added to a content between the
-- check and the delete, and one that was added before is seen by the check.
--
-- Lock order, unchanged and now for every writer (see Groupware.Storage.Mail.MailStore):
-- blob rows by id, then mailbox rows by id, then (rows of a locked mailbox: messages, keywords,
-- expunge records) then account rows by id.

-- 1. Keys with account_id first.
ALTER TABLE messages DROP CONSTRAINT messages_mailbox_id_fkey;
ALTER TABLE expunged_messages DROP CONSTRAINT expunged_messages_mailbox_id_fkey;
ALTER TABLE mailboxes DROP CONSTRAINT mailboxes_pkey, ADD PRIMARY KEY (account_id, id);
ALTER TABLE messages DROP CONSTRAINT messages_pkey, ADD PRIMARY KEY (account_id, mailbox_id, uid),
    ADD CONSTRAINT messages_mailbox_fkey FOREIGN KEY (account_id, mailbox_id) REFERENCES mailboxes (account_id, id) ON DELETE CASCADE;
ALTER TABLE expunged_messages DROP CONSTRAINT expunged_messages_pkey, ADD PRIMARY KEY (account_id, mailbox_id, uid),
    ADD CONSTRAINT expunged_messages_mailbox_fkey FOREIGN KEY (account_id, mailbox_id) REFERENCES mailboxes (account_id, id) ON DELETE CASCADE;
DROP INDEX messages_account;
DROP INDEX messages_mailbox_modseq;
DROP INDEX expunged_messages_mailbox_modseq;
CREATE INDEX messages_mailbox_modseq ON messages (account_id, mailbox_id, modseq);
CREATE INDEX expunged_messages_mailbox_modseq ON expunged_messages (account_id, mailbox_id, modseq);

-- 2. Blob references.
-- One row per content an account uses: the account's claim on a shared blob, which its messages
-- reference. Deleted when no message of the account uses the blob any more (see above).
CREATE TABLE blob_references (
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    blob_id    bigint NOT NULL REFERENCES blobs (id),
    PRIMARY KEY (account_id, blob_id)
);

CREATE INDEX blob_references_blob ON blob_references (blob_id);
INSERT INTO blob_references (account_id, blob_id) SELECT DISTINCT account_id, blob_id FROM messages;
ALTER TABLE messages DROP CONSTRAINT messages_blob_id_fkey,
    ADD CONSTRAINT messages_blob_fkey FOREIGN KEY (account_id, blob_id) REFERENCES blob_references (account_id, blob_id);
DROP INDEX messages_blob;
CREATE INDEX messages_blob ON messages (account_id, blob_id);

-- Search and fetch fields of the content (Groupware.Storage.Mail.MessageSummary):
--   body_text        the decoded text of the text parts, bounded (MessageSummary.MaxBodyText), for
--                    SEARCH BODY and TEXT (RFC 9051 §6.4.4); NULL for content stored before this
--                    migration until MailStore.RefreshSummariesAsync parses it again.
--   sent_day         the day of the Date field in the field's own zone, for SENTBEFORE/SENTON/
--                    SENTSINCE, which disregard time and timezone; before this migration only the
--                    instant was kept, so old rows get its UTC day until parsed again.
--   summary_version  MessageSummary.CurrentVersion of the parse stored here; 0 for rows from
--                    before this migration (no part offsets, no body text).
ALTER TABLE blobs ADD COLUMN body_text text, ADD COLUMN sent_day date, ADD COLUMN summary_version smallint NOT NULL DEFAULT 0;
UPDATE blobs SET sent_day = (sent_date AT TIME ZONE 'UTC')::date WHERE sent_date IS NOT NULL;

-- Old body structures have no part offsets. A migration cannot run MimeKit, but the top level of a
-- single-part message is simple: its header ends at the first empty line (RFC 5322 §2.1), and the
-- offset is kept only where it agrees with the body size MimeKit stored. Everything else (the parts
-- of multiparts) is left without offsets: the reader parses those messages, until
-- MailStore.RefreshSummariesAsync stores a fresh parse.
WITH heads AS (
    SELECT b.id,
           CASE WHEN substring(c.data FROM 1 FOR 2) = '\x0d0a'::bytea THEN 2
                WHEN position('\x0d0a0d0a'::bytea IN c.data) > 0 THEN position('\x0d0a0d0a'::bytea IN c.data) + 3
           END AS body_start
    FROM blobs b JOIN blob_chunks c ON c.blob_id = b.id AND c.seq = 0
    WHERE b.body_structure ? 'size' AND NOT b.body_structure ? 'parts'
)
UPDATE blobs b SET body_structure = b.body_structure || jsonb_build_object('headerStart', 0, 'bodyStart', h.body_start, 'end', b.size)
FROM heads h
WHERE h.id = b.id AND h.body_start IS NOT NULL AND b.size - h.body_start = (b.body_structure ->> 'size')::bigint;

-- 3. Subscriptions (RFC 9051 §6.3.7): names, not mailboxes; a subscription may name a mailbox that
-- does not exist (any more, or yet).
-- One row per mailbox name an account subscribed to. INBOX is stored as INBOX.
CREATE TABLE subscriptions (
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name       text NOT NULL CHECK (name <> ''),
    PRIMARY KEY (account_id, name)
);

INSERT INTO subscriptions (account_id, name) SELECT account_id, name FROM mailboxes WHERE subscribed;
ALTER TABLE mailboxes DROP COLUMN subscribed;

-- 4. Hierarchy. Names are '/'-separated without empty levels; INBOX, in any case as the first
-- level, is stored as INBOX (RFC 9051 §5.1: every case of it means the inbox). A mailbox deleted
-- while it has inferiors stays as a \Noselect placeholder (selectable false, RFC 9051 §6.3.5);
-- every superior of a name exists, selectable or not.
ALTER TABLE mailboxes
    ADD COLUMN selectable boolean NOT NULL DEFAULT true,
    -- The first UID that is \Recent (IMAP4rev1, RFC 3501 §2.3.2): the first session to select the
    -- mailbox moves it to uid_next under the row lock and gets the UIDs in between as recent, as
    -- Dovecot's index header does. Never above uid_next.
    ADD COLUMN first_recent_uid bigint NOT NULL DEFAULT 1,
    ADD CONSTRAINT mailboxes_name_form CHECK (name !~ '(^/|/$|//)'
        AND (split_part(name, '/', 1) = 'INBOX' OR lower(split_part(name, '/', 1)) <> 'inbox')),
    ADD CONSTRAINT mailboxes_placeholder_plain CHECK (selectable OR special_use IS NULL);
-- Messages already there were seen by whoever read them before; none is recent.
UPDATE mailboxes SET first_recent_uid = uid_next;
ALTER TABLE mailboxes ADD CONSTRAINT mailboxes_first_recent_uid_check CHECK (first_recent_uid BETWEEN 1 AND uid_next);

-- Missing superiors of existing names become placeholders.
INSERT INTO mailboxes (account_id, name, selectable)
SELECT DISTINCT b.account_id, array_to_string((string_to_array(b.name, '/'))[1:n], '/'), false
FROM mailboxes b, generate_series(1, array_length(string_to_array(b.name, '/'), 1) - 1) AS n
ON CONFLICT DO NOTHING;

-- One index for both: equality (the unique name) and LIST prefix patterns and subtree renames,
-- which compare with the pattern operators (~>=~, ~<~) or LIKE 'prefix%'.
ALTER TABLE mailboxes DROP CONSTRAINT mailboxes_account_id_name_key;
CREATE UNIQUE INDEX mailboxes_name ON mailboxes (account_id, name text_pattern_ops);

-- One mailbox per special use and account: two \Sent mailboxes make iOS Mail sync forever. Any
-- duplicate left from before keeps the attribute on its oldest mailbox only.
UPDATE mailboxes b SET special_use = NULL
WHERE special_use IS NOT NULL
  AND EXISTS (SELECT 1 FROM mailboxes o WHERE o.account_id = b.account_id AND o.special_use = b.special_use AND o.id < b.id);
CREATE UNIQUE INDEX mailboxes_special_use ON mailboxes (account_id, special_use) WHERE special_use IS NOT NULL;

-- 5. Flags. System flags as bits (\Seen 1, \Answered 2, \Flagged 4, \Deleted 8, \Draft 16; see
-- Groupware.Storage.Mail.SystemFlags), with partial indexes so that the searches clients send on
-- every sync (UNSEEN, DELETED before EXPUNGE, FLAGGED) are index lookups. A query must spell the
-- predicate exactly as the index does, e.g. (system_flags & 8) <> 0, for the planner to use it.
ALTER TABLE messages ADD COLUMN system_flags smallint NOT NULL DEFAULT 0 CHECK (system_flags BETWEEN 0 AND 31);
UPDATE messages m SET system_flags =
      (CASE WHEN EXISTS (SELECT 1 FROM unnest(m.flags) f WHERE lower(f) = '\seen') THEN 1 ELSE 0 END)
    | (CASE WHEN EXISTS (SELECT 1 FROM unnest(m.flags) f WHERE lower(f) = '\answered') THEN 2 ELSE 0 END)
    | (CASE WHEN EXISTS (SELECT 1 FROM unnest(m.flags) f WHERE lower(f) = '\flagged') THEN 4 ELSE 0 END)
    | (CASE WHEN EXISTS (SELECT 1 FROM unnest(m.flags) f WHERE lower(f) = '\deleted') THEN 8 ELSE 0 END)
    | (CASE WHEN EXISTS (SELECT 1 FROM unnest(m.flags) f WHERE lower(f) = '\draft') THEN 16 ELSE 0 END)
WHERE m.flags <> '{}';

CREATE INDEX messages_unseen ON messages (account_id, mailbox_id, uid) WHERE (system_flags & 1) = 0;
CREATE INDEX messages_flagged ON messages (account_id, mailbox_id, uid) WHERE (system_flags & 4) <> 0;
CREATE INDEX messages_deleted ON messages (account_id, mailbox_id, uid) WHERE (system_flags & 8) <> 0;

-- Keywords (RFC 9051 §2.3.2), compared case-insensitively as Dovecot and Cyrus do, spelled as first
-- stored in the mailbox.
-- One row per keyword defined in a mailbox: the small id its messages hold, and its name for FLAGS
-- and PERMANENTFLAGS. Ids are given under the mailbox's row lock and never reused while the mailbox lives.
CREATE TABLE mailbox_keywords (
    account_id bigint NOT NULL,
    mailbox_id bigint NOT NULL,
    id         smallint NOT NULL CHECK (id >= 1),
    name       text NOT NULL CHECK (name <> '' AND left(name, 1) <> '\'),
    PRIMARY KEY (account_id, mailbox_id, id),
    FOREIGN KEY (account_id, mailbox_id) REFERENCES mailboxes (account_id, id) ON DELETE CASCADE
);

CREATE UNIQUE INDEX mailbox_keywords_name ON mailbox_keywords (account_id, mailbox_id, lower(name));

INSERT INTO mailbox_keywords (account_id, mailbox_id, id, name)
SELECT account_id, mailbox_id, row_number() OVER (PARTITION BY account_id, mailbox_id ORDER BY lower(k)), min(k)
FROM (SELECT m.account_id, m.mailbox_id, k FROM messages m, unnest(m.keywords) AS k WHERE k <> '' AND left(k, 1) <> '\') AS used
GROUP BY account_id, mailbox_id, lower(k);

-- The ids of the message's keywords in its mailbox's mailbox_keywords, ascending, each once.
ALTER TABLE messages ADD COLUMN keyword_ids smallint[] NOT NULL DEFAULT '{}';
UPDATE messages m SET keyword_ids = ARRAY(
    SELECT DISTINCT k.id FROM unnest(m.keywords) AS w
    JOIN mailbox_keywords k ON k.account_id = m.account_id AND k.mailbox_id = m.mailbox_id AND lower(k.name) = lower(w)
    ORDER BY k.id)
WHERE m.keywords <> '{}';
ALTER TABLE messages DROP COLUMN flags, DROP COLUMN keywords;

-- Ids are per mailbox, so this index narrows by keyword and the primary key by mailbox; a GIN
-- index on (mailbox, keywords) at once needs the btree_gin extension, which not every
-- installation may create.
CREATE INDEX messages_keywords ON messages USING gin (keyword_ids);

-- 6. The change feed, raised by the database so that no writer can forget it: every committed
-- change to a mailbox row sends one NOTIFY on groupware_mail (Groupware.Storage.Mail.MailChangeFeed).
-- Every writer that changes messages raises the mailbox's highest_modseq (RFC 7162 §3.1: one new
-- MODSEQ per mailbox and transaction), so message changes are seen through their mailbox row.
-- Payloads: 'account mailbox highest_modseq uid_next' for changed messages (the form nodes
-- before this migration parse), with ' created', ' deleted' or ' renamed' added for the life of
-- the mailbox itself: a placeholder turning selectable is created, a mailbox turning into one is
-- deleted. A change to first_recent_uid alone (\Recent claimed) sends nothing.
CREATE FUNCTION mailboxes_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed mailboxes;
    kind    text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        changed := NEW; kind := ' created';
    ELSIF TG_OP = 'DELETE' THEN
        changed := OLD; kind := ' deleted';
    ELSIF OLD.selectable AND NOT NEW.selectable THEN
        changed := NEW; kind := ' deleted';
    ELSIF NEW.selectable AND NOT OLD.selectable THEN
        changed := NEW; kind := ' created';
    ELSIF NEW.name <> OLD.name THEN
        changed := NEW; kind := ' renamed';
    ELSIF NEW.highest_modseq <> OLD.highest_modseq OR NEW.uid_next <> OLD.uid_next THEN
        changed := NEW; kind := '';
    ELSE
        RETURN NULL;
    END IF;
    PERFORM pg_notify('groupware_mail',
        changed.account_id::text || ' ' || changed.id::text || ' ' || changed.highest_modseq::text || ' ' || changed.uid_next::text || kind);
    RETURN NULL;
END;
$$;

CREATE TRIGGER mailboxes_notify AFTER INSERT OR UPDATE OR DELETE ON mailboxes
    FOR EACH ROW EXECUTE FUNCTION mailboxes_notify();
