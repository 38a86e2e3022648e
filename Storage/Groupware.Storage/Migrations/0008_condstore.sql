-- CONDSTORE and QRESYNC (RFC 7162): expunge records are kept for a while, then pruned.
--
-- expunged_messages (0003) keeps one row per expunged UID with the MODSEQ of its expunge, which is
-- what VANISHED (EARLIER) reports (RFC 7162 §3.2.5.1, §3.2.6). Kept forever, a mailbox that
-- receives and deletes a thousand messages a day would carry a row for every UID it ever had. So
-- rows older than the retention (Groupware.Storage.Mail.MailStoreOptions.ExpungedUidRetention)
-- are deleted whenever the mailbox expunges again, under its row lock, and the mailbox remembers
-- the highest MODSEQ it deleted a record of. A client that resynchronises from a MODSEQ below that
-- horizon may have missed an expunge whose record is gone: it gets every UID it claims to know
-- that no longer exists instead (RFC 7162 §3.2.6: "as if it was requested to report all expunged
-- messages"), never a short answer.

-- The highest MODSEQ of the expunge records deleted from expunged_messages for this mailbox; 0
-- while none has been. Records above it are complete.
ALTER TABLE mailboxes ADD COLUMN expunged_pruned_modseq bigint NOT NULL DEFAULT 0 CHECK (expunged_pruned_modseq >= 0);

-- The pruning looks for a mailbox's oldest records only: an index range, not the mailbox's rows.
CREATE INDEX expunged_messages_mailbox_time ON expunged_messages (account_id, mailbox_id, expunged_at);
