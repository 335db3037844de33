-- 0031_order_lines_refs.sql -- issue 13 §6: order_lines' references to accounts and products
-- checked once per statement instead of once per row. A foreign key runs a query per inserted
-- line (SELECT ... FOR KEY SHARE); a million-line COPY spent 17 of its 22 s there. The checks
-- below keep what the two keys guaranteed:
--   * a line names an account and a product that exist: after every INSERT or UPDATE statement
--     the rows it referenced are locked FOR KEY SHARE, as the key locked them, and counted
--     against the distinct ids its lines name (a row deleted meanwhile is not locked: the count
--     falls short);
--   * an account or product with lines is neither deleted nor renumbered: a row trigger on it,
--     which runs once the row is locked, so it sees the lines of a writer it waited for.
-- Both fail with SQLSTATE 23503, as the keys did. SQLite keeps its foreign keys (checked per
-- row in its own engine; an import turns them off for the load and checks against its lookups).
ALTER TABLE order_lines DROP CONSTRAINT order_lines_account_id_fkey;
ALTER TABLE order_lines DROP CONSTRAINT order_lines_product_id_fkey;

CREATE FUNCTION order_lines_refs_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    accs bigint[];
    prods bigint[];
    got bigint;
BEGIN
    -- one pass over the statement's lines (a big COPY's spill to disk is read once)
    SELECT array_agg(DISTINCT account_id), array_agg(DISTINCT product_id) INTO accs, prods
        FROM order_lines_new;
    IF accs IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT count(*) INTO got FROM (SELECT 1 FROM accounts WHERE id = ANY (accs) FOR KEY SHARE) s;
    IF got < cardinality(accs) THEN
        RAISE EXCEPTION 'insert or update on table "order_lines" violates foreign key constraint "order_lines_account_id_fkey"'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'order_lines',
                  CONSTRAINT = 'order_lines_account_id_fkey';
    END IF;
    SELECT count(*) INTO got FROM (SELECT 1 FROM products WHERE id = ANY (prods) FOR KEY SHARE) s;
    IF got < cardinality(prods) THEN
        RAISE EXCEPTION 'insert or update on table "order_lines" violates foreign key constraint "order_lines_product_id_fkey"'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'order_lines',
                  CONSTRAINT = 'order_lines_product_id_fkey';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER order_lines_refs_ins AFTER INSERT ON order_lines
    REFERENCING NEW TABLE AS order_lines_new
    FOR EACH STATEMENT EXECUTE FUNCTION order_lines_refs_check();
CREATE TRIGGER order_lines_refs_upd AFTER UPDATE ON order_lines
    REFERENCING NEW TABLE AS order_lines_new
    FOR EACH STATEMENT EXECUTE FUNCTION order_lines_refs_check();

CREATE FUNCTION order_lines_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NEW;
    END IF;
    IF (TG_TABLE_NAME = 'accounts' AND EXISTS (SELECT 1 FROM order_lines WHERE account_id = OLD.id))
       OR (TG_TABLE_NAME = 'products' AND EXISTS (SELECT 1 FROM order_lines WHERE product_id = OLD.id)) THEN
        RAISE EXCEPTION 'update or delete on table "%" violates foreign key constraint on table "order_lines"', TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation', TABLE = 'order_lines';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER accounts_order_lines BEFORE DELETE OR UPDATE OF id ON accounts
    FOR EACH ROW EXECUTE FUNCTION order_lines_referenced();
CREATE TRIGGER products_order_lines BEFORE DELETE OR UPDATE OF id ON products
    FOR EACH ROW EXECUTE FUNCTION order_lines_referenced();
