-- 0004_placeholder.sql -- STAND-IN ONLY on branch sip3: version 4 belongs to
-- another branch's migration; this empty step keeps the numbering
-- contiguous (embed-sql.sh needs 1, 2, 3...) until that one is merged.
-- Drop this file when merging (the real 0004 replaces it).
SELECT 1;
