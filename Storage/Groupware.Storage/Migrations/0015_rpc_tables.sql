-- Item tables of the RPC front-end (groupware.rpc.v1, Items.Query): a folder's messages sorted by
-- their received date (internal date), newest first, is the list view every mail client opens
-- with. This index serves that order, with the UID as the tie-breaker the table uses, as a range
-- of one folder's rows read in order: a page of 50 rows of a folder of 100,000 messages reads 50
-- index entries, not the folder. Sorting by size uses the same shape.
CREATE INDEX messages_mailbox_internal_date ON messages (account_id, mailbox_id, internal_date, uid);
CREATE INDEX messages_mailbox_size ON messages (account_id, mailbox_id, size, uid);

-- Statistics of the flag tests a table restricts by (unread, flagged). Without them the planner
-- guesses that (system_flags & 1) = 0 holds for 0.5% of a folder, reads every unread message of a
-- large folder from the partial index messages_unseen and sorts them all, instead of reading the
-- newest from messages_mailbox_internal_date until the page is full (on 5,000 messages, 9 ms
-- against 0.3 ms). They are kept by ANALYZE, which autovacuum runs.
CREATE STATISTICS messages_read_flag ON ((system_flags & 1)) FROM messages;
CREATE STATISTICS messages_flagged_flag ON ((system_flags & 4)) FROM messages;
