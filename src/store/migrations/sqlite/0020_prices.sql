-- 0020_prices.sql (SQLite) -- the price engine (issue 15 item 1, docs/PRICING.md): price lists
-- (all accounts, a tier, a group = a parent account and every account under it, one account)
-- with their items and volume breaks, promotions with a product and an account scope, annual
-- rebates with their tiers. Money is integer minor units of the currency named beside it; a
-- quantity is thousandths of the product's unit (as order_lines); a date is 'YYYY-MM-DD' and a
-- validity is inclusive at both ends, NULL = open; a percentage is basis points (1 % = 100).

CREATE TABLE price_lists (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    currency    TEXT NOT NULL,
    valid_from  TEXT,
    valid_to    TEXT,
    active      INTEGER NOT NULL DEFAULT 1,
    scope       TEXT NOT NULL CHECK (scope IN ('all', 'tier', 'group', 'account')),
    tier        TEXT,                    -- scope tier
    account_id  INTEGER REFERENCES accounts(id), -- scope group | account (no CASCADE: deleting an
                                         -- account with prices is refused, account.has_prices)
    note        TEXT NOT NULL DEFAULT '',
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX price_lists_scope ON price_lists(scope, account_id, id);

CREATE TABLE price_list_items (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    list_id     INTEGER NOT NULL REFERENCES price_lists(id) ON DELETE CASCADE,
    product_id  INTEGER NOT NULL REFERENCES products(id),
    unit_price  INTEGER NOT NULL,        -- minor units of the list's currency
    UNIQUE (list_id, product_id)
);
CREATE INDEX price_list_items_product ON price_list_items(product_id, list_id);

CREATE TABLE price_breaks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id     INTEGER NOT NULL REFERENCES price_list_items(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('quantity', 'amount')),
    basis       TEXT NOT NULL CHECK (basis IN ('order', 'month', 'quarter', 'year')),
    threshold   INTEGER NOT NULL,        -- thousandths (quantity) or list-currency minor units
    unit_price  INTEGER,                 -- exactly one of unit_price, discount_bp
    discount_bp INTEGER
);
CREATE INDEX price_breaks_item ON price_breaks(item_id, threshold);

CREATE TABLE promotions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    valid_from   TEXT,
    valid_to     TEXT,
    active       INTEGER NOT NULL DEFAULT 1,
    all_products INTEGER NOT NULL DEFAULT 0, -- 1: every product; else promotion_products
    scope        TEXT NOT NULL CHECK (scope IN ('all', 'tier', 'account')),
    tier         TEXT,
    account_id   INTEGER REFERENCES accounts(id),
    discount_bp  INTEGER,                -- exactly one of discount_bp, unit_price
    unit_price   INTEGER,
    currency     TEXT,                   -- of unit_price
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

CREATE TABLE promotion_products (
    promotion_id INTEGER NOT NULL REFERENCES promotions(id) ON DELETE CASCADE,
    product_id   INTEGER NOT NULL DEFAULT 0, -- 0 when the row names a family
    family       TEXT NOT NULL DEFAULT '',   -- '' when the row names a product
    PRIMARY KEY (promotion_id, product_id, family)
);

CREATE TABLE rebates (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    scope       TEXT NOT NULL CHECK (scope IN ('tier', 'account')),
    tier        TEXT,
    account_id  INTEGER REFERENCES accounts(id),
    active      INTEGER NOT NULL DEFAULT 1,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE rebate_tiers (
    rebate_id   INTEGER NOT NULL REFERENCES rebates(id) ON DELETE CASCADE,
    threshold   INTEGER NOT NULL,        -- base-currency minor units bought in the calendar year
    rebate_bp   INTEGER NOT NULL,
    PRIMARY KEY (rebate_id, threshold)
);

INSERT INTO settings (key, value) VALUES ('prices.hide_other_accounts', '1');
