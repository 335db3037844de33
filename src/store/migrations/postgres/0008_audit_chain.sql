-- 0008_audit_chain.sql (PostgreSQL) -- the audit log becomes a hash chain (svc/core/audit.c).
--
-- Every row gets seq (1, 2, 3, ... in the order rows joined the chain, with no gaps), prev_hash
-- (the hash of row seq - 1; 64 zeros for seq 1) and hash (BLAKE2b-256 of the row's stored
-- fields and prev_hash, lowercase hex). audit_head is the chain's one-row head: the last seq
-- and hash. Every audited write moves it in its own transaction, which serialises audited
-- writes (on PostgreSQL the row lock; on SQLite the single writer) so no two rows chain onto
-- the same predecessor, and lets `kam audit verify` notice rows removed at the end. Its key is
-- seq, not a constant: see head_lock in svc/core/audit.c for why.
--
-- Rows written before this migration have no seq yet: hashes cannot be computed in SQL on both
-- engines, so unchained = 1 tells the next audited write (or kam audit verify) to chain them,
-- in id order, under the head's lock (audit_chain_backfill). Once 0, a row without seq is one
-- that did not come through kam.

ALTER TABLE audit ADD COLUMN seq BIGINT;
ALTER TABLE audit ADD COLUMN prev_hash TEXT;
ALTER TABLE audit ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_seq ON audit(seq);
CREATE TABLE audit_head (
    seq         BIGINT PRIMARY KEY,
    hash        TEXT NOT NULL,
    unchained   BIGINT NOT NULL
);
INSERT INTO audit_head (seq, hash, unchained)
    SELECT 0, '0000000000000000000000000000000000000000000000000000000000000000', CASE WHEN EXISTS (SELECT 1 FROM audit) THEN 1 ELSE 0 END;
