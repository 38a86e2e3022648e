-- QUOTA's MESSAGE resource (RFC 9208 §5.2) beside STORAGE (quota_bytes, used_bytes): a limit on
-- the number of an account's messages, and their count, which the mail store keeps in the same
-- transaction as each change, as it keeps used_bytes. A node of the release before this one does
-- not move used_messages; `groupware user show` after an upgrade reports the count as stored, and
-- this migration's recount is what the figures start from.
ALTER TABLE accounts
    -- NULL means unlimited.
    ADD COLUMN quota_messages bigint CHECK (quota_messages IS NULL OR quota_messages >= 0),
    ADD COLUMN used_messages  bigint NOT NULL DEFAULT 0;

UPDATE accounts a SET used_messages = c.n
FROM (SELECT account_id, count(*) AS n FROM messages GROUP BY account_id) AS c
WHERE c.account_id = a.id;
