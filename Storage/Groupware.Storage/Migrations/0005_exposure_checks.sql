-- A password refused unchecked because it arrived in clear is checked afterwards, off the client's
-- path, so that `groupware user list --exposed` can tell a leaked password from noise: anyone can
-- send an account's name with a wrong password in clear.
--
-- password_matched, per attempt whose password was exposed: true when it was the account's current
-- password (checked at the time, or afterwards for one refused unchecked), false when it was not,
-- NULL when it could not be told (no such account, the check queue was full, the node stopped first)
-- or the password was not exposed.
ALTER TABLE auth_attempts ADD COLUMN password_matched boolean;

CREATE INDEX auth_attempts_exposed ON auth_attempts (account_id, at) WHERE exposed;
