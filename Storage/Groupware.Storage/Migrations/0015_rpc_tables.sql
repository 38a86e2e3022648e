-- Item tables of the RPC front-end (groupware.rpc.v1, Items.Query): a folder's messages sorted by
-- their received date (internal date), newest first, is the list view every mail client opens
-- with. This index serves that order, with the UID as the tie-breaker the table uses, as a range
-- of one folder's rows read in order: a page of 50 rows of a folder of 100,000 messages reads 50
-- index entries, not the folder. Sorting by size uses the same shape.
CREATE INDEX messages_mailbox_internal_date ON messages (account_id, mailbox_id, internal_date, uid);
CREATE INDEX messages_mailbox_size ON messages (account_id, mailbox_id, size, uid);
