-- 0022_offers.sql (SQLite) -- issue 15's opportunities, catalogue, offers and discount approval
-- (docs/PRICING.md, docs/OFFERS.md). Money is integer minor units of the currency named beside
-- it; a quantity is thousandths of the unit (as order_lines); a percentage is basis points
-- (1 % = 100); a month is 'YYYY-MM', a date 'YYYY-MM-DD'. Records of an account are not
-- removed with it: deleting an account with opportunities or offers is refused.

-- Opportunities (商机): configurable stages, each with its default probability.
CREATE TABLE opportunity_stages (
    code           TEXT PRIMARY KEY,
    name_zh_hans   TEXT NOT NULL,
    name_zh_hant   TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    position       INTEGER NOT NULL,
    probability_bp INTEGER NOT NULL CHECK (probability_bp BETWEEN 0 AND 10000),
    outcome        TEXT NOT NULL DEFAULT 'open' CHECK (outcome IN ('open', 'won', 'lost')),
    active         INTEGER NOT NULL DEFAULT 1,
    updated_at     INTEGER NOT NULL DEFAULT 0
);
INSERT INTO opportunity_stages (code, name_zh_hans, name_zh_hant, name_en, position, probability_bp, outcome) VALUES
    ('initial',     '初步接洽', '初步接洽', 'Initial contact',  1,  1000, 'open'),
    ('qualified',   '需求确认', '需求確認', 'Needs confirmed',  2,  2500, 'open'),
    ('proposal',    '方案报价', '方案報價', 'Proposal',         3,  5000, 'open'),
    ('negotiation', '谈判',     '談判',     'Negotiation',      4,  7500, 'open'),
    ('won',         '赢单',     '贏單',     'Won',              5, 10000, 'won'),
    ('lost',        '输单',     '輸單',     'Lost',             6,     0, 'lost');

CREATE TABLE opportunities (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id     INTEGER NOT NULL REFERENCES accounts(id),
    name           TEXT NOT NULL,
    owner_id       INTEGER REFERENCES users(id),
    stage          TEXT NOT NULL REFERENCES opportunity_stages(code),
    amount         INTEGER NOT NULL DEFAULT 0,    -- expected, minor units of currency
    currency       TEXT NOT NULL,
    quantity       INTEGER,                       -- expected, thousandths; NULL = not given
    close_month    TEXT NOT NULL,                 -- expected close 'YYYY-MM'
    probability_bp INTEGER,                       -- NULL = the stage's
    competitors    TEXT NOT NULL DEFAULT '',
    outcome_reason TEXT NOT NULL DEFAULT '',      -- why won / lost (required to close)
    closed_at      INTEGER,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX opportunities_account ON opportunities(account_id, id);
CREATE INDEX opportunities_stage ON opportunities(stage, close_month);
CREATE INDEX opportunities_owner ON opportunities(owner_id);

CREATE TABLE opportunity_products (
    opportunity_id INTEGER NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    product_id     INTEGER NOT NULL REFERENCES products(id),
    quantity       INTEGER,
    amount         INTEGER,
    PRIMARY KEY (opportunity_id, product_id)
);

CREATE TABLE opportunity_needs (
    opportunity_id INTEGER NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    need_id        INTEGER NOT NULL REFERENCES needs(id) ON DELETE CASCADE,
    PRIMARY KEY (opportunity_id, need_id)
);
CREATE INDEX opportunity_needs_need ON opportunity_needs(need_id);

-- The catalogue beside the products: bundles priced as a whole, service items (service plans).
ALTER TABLE products ADD COLUMN unit_cost INTEGER; -- minor units of products.currency; margins

CREATE TABLE bundles (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    currency    TEXT NOT NULL,
    price       INTEGER NOT NULL,                 -- the bundle's price, one bundle
    active      INTEGER NOT NULL DEFAULT 1,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE bundle_items (
    bundle_id   INTEGER NOT NULL REFERENCES bundles(id) ON DELETE CASCADE,
    product_id  INTEGER NOT NULL REFERENCES products(id),
    quantity    INTEGER NOT NULL,                 -- thousandths per bundle
    PRIMARY KEY (bundle_id, product_id)
);

CREATE TABLE service_items (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('presales', 'aftersales', 'support', 'training')),
    name        TEXT NOT NULL,
    unit        TEXT NOT NULL CHECK (unit IN ('hour', 'day', 'visit', 'month', 'year', 'each')),
    price       INTEGER NOT NULL,
    currency    TEXT NOT NULL,
    unit_cost   INTEGER,
    sla         TEXT NOT NULL DEFAULT '',         -- e.g. 'response 4 h, on site 24 h'
    active      INTEGER NOT NULL DEFAULT 1,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Discount approval: how far below the engine's price each role may go on its own; above the
-- director's limit it takes finance and the director.
CREATE TABLE discount_limits (
    role        TEXT PRIMARY KEY,
    max_bp      INTEGER NOT NULL CHECK (max_bp BETWEEN 0 AND 10000),
    updated_at  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO discount_limits (role, max_bp) VALUES
    ('account_manager', 500), ('team_lead', 1000), ('director', 2000);

CREATE TABLE approvals (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL CHECK (kind IN ('offer', 'order_line')),
    object_id    INTEGER NOT NULL,
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    requested_by INTEGER REFERENCES users(id),
    discount_bp  INTEGER NOT NULL,                -- the deepest discount asked for
    needs        TEXT NOT NULL CHECK (needs IN ('team_lead', 'director', 'finance+director')),
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
    comment      TEXT NOT NULL DEFAULT '',        -- the requester's
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   INTEGER NOT NULL,
    decided_at   INTEGER,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX approvals_status ON approvals(status, needs, id);
CREATE INDEX approvals_object ON approvals(kind, object_id);
CREATE INDEX approvals_account ON approvals(account_id);

CREATE TABLE approval_steps (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    approval_id INTEGER NOT NULL REFERENCES approvals(id) ON DELETE CASCADE,
    role        TEXT NOT NULL,                    -- the role the decider acted as
    user_id     INTEGER REFERENCES users(id),
    decision    TEXT NOT NULL CHECK (decision IN ('approved', 'rejected', 'comment')),
    comment     TEXT NOT NULL DEFAULT '',
    at          INTEGER NOT NULL
);
CREATE INDEX approval_steps_approval ON approval_steps(approval_id, id);

-- Offers and quotes: versions share root_id (v1's id); only the newest is live.
CREATE TABLE offers (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    number          TEXT NOT NULL,                -- 'Q2026-0001', shared by the versions
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    opportunity_id  INTEGER REFERENCES opportunities(id) ON DELETE SET NULL,
    root_id         INTEGER,                      -- v1's id (NULL on v1 itself until set)
    version_no      INTEGER NOT NULL DEFAULT 1,
    title           TEXT NOT NULL DEFAULT '',
    lang            TEXT NOT NULL DEFAULT 'zh-CN' CHECK (lang IN ('zh-CN', 'zh-TW', 'en')),
    currency        TEXT NOT NULL,
    price_date      TEXT NOT NULL,                -- the date the engine prices the lines on
    valid_until     TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'pending',
                    'approved', 'sent', 'accepted', 'rejected', 'expired', 'converted',
                    'superseded')),
    max_discount_bp INTEGER NOT NULL DEFAULT 0,
    approval_id     INTEGER REFERENCES approvals(id),
    subtotal        INTEGER NOT NULL DEFAULT 0,   -- at engine prices
    total           INTEGER NOT NULL DEFAULT 0,   -- as offered
    cost            INTEGER,                      -- NULL when a line has no cost
    terms           TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT '',
    decision_reason TEXT NOT NULL DEFAULT '',
    created_by      INTEGER REFERENCES users(id),
    sent_at         INTEGER,
    decided_at      INTEGER,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (number, version_no)
);
CREATE INDEX offers_account ON offers(account_id, id);
CREATE INDEX offers_status ON offers(status, valid_until);
CREATE INDEX offers_opportunity ON offers(opportunity_id);
CREATE INDEX offers_root ON offers(root_id);

CREATE TABLE offer_lines (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    offer_id        INTEGER NOT NULL REFERENCES offers(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('product', 'bundle', 'service')),
    product_id      INTEGER REFERENCES products(id),
    bundle_id       INTEGER REFERENCES bundles(id),
    service_item_id INTEGER REFERENCES service_items(id),
    description     TEXT NOT NULL DEFAULT '',
    quantity        INTEGER NOT NULL,             -- thousandths
    engine_price    INTEGER,                      -- the engine's unit price (offer currency)
    unit_price      INTEGER NOT NULL,             -- offered
    discount_bp     INTEGER NOT NULL DEFAULT 0,   -- (engine - offered) / engine
    amount          INTEGER NOT NULL,
    unit_cost       INTEGER,                      -- offer currency, frozen with the price
    explain         TEXT NOT NULL DEFAULT '',     -- the quote's steps (JSON), frozen
    components      TEXT NOT NULL DEFAULT '',     -- a bundle's components (JSON), frozen
    order_line_id   INTEGER                       -- set on conversion (first line made)
);
CREATE INDEX offer_lines_offer ON offer_lines(offer_id, position);

CREATE TABLE offer_customisations (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    offer_id      INTEGER NOT NULL REFERENCES offers(id) ON DELETE CASCADE,
    request       TEXT NOT NULL,
    feasibility   TEXT NOT NULL DEFAULT 'open' CHECK (feasibility IN ('open', 'feasible',
                  'partly', 'no')),
    confirm_by    TEXT NOT NULL CHECK (confirm_by IN ('production', 'technical', 'service')),
    confirmed_by  INTEGER REFERENCES users(id),
    confirmed_at  INTEGER,
    note          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX offer_customisations_offer ON offer_customisations(offer_id, id);

-- Prices on order lines: what the engine said when the line was written.
ALTER TABLE order_lines ADD COLUMN price_check TEXT;    -- NULL (not checked) | ok | below | unpriced
ALTER TABLE order_lines ADD COLUMN price_reason TEXT;   -- why a line below the price was accepted
ALTER TABLE order_lines ADD COLUMN engine_amount INTEGER; -- the engine's price x quantity (line currency)

INSERT INTO settings (key, value) VALUES ('prices.below_price', 'accept_with_reason');
