-- The emulator's SQLite schema. storage/db.py runs this file whenever it opens a database, so every
-- statement must be safe to repeat (IF NOT EXISTS). Columns exist for everything a listing filters
-- on; the full JSON document of each object lives in `doc`.
CREATE TABLE IF NOT EXISTS accounts (
    acct INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL UNIQUE,
    is_test INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS projects (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (account, name)
);
CREATE TABLE IF NOT EXISTS batches (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    project TEXT NOT NULL,
    status TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (account, name)
);
CREATE INDEX IF NOT EXISTS batches_by_project ON batches (account, project, seq);
CREATE INDEX IF NOT EXISTS batches_by_status ON batches (account, status, seq);
CREATE INDEX IF NOT EXISTS batches_by_created ON batches (account, created_ms);
-- Tasks are listed newest first by (created_ms, seq). Every listing index ends in created_ms (and,
-- implicitly, the rowid seq), so one index range answers both the filter and the order. The account
-- is a small integer (accounts.acct) to keep a million-row index compact.
CREATE TABLE IF NOT EXISTS tasks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id TEXT NOT NULL UNIQUE,
    acct INTEGER NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    project TEXT,
    batch TEXT,
    unique_id TEXT,
    review_status TEXT,
    is_test INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    completed_ms INTEGER,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tasks_by_created ON tasks (acct, created_ms);
CREATE INDEX IF NOT EXISTS tasks_by_project ON tasks (acct, project, created_ms);
CREATE INDEX IF NOT EXISTS tasks_by_project_status ON tasks (acct, project, status, created_ms);
CREATE INDEX IF NOT EXISTS tasks_by_batch ON tasks (acct, batch, created_ms);
CREATE INDEX IF NOT EXISTS tasks_by_batch_status ON tasks (acct, batch, status, created_ms);
CREATE INDEX IF NOT EXISTS tasks_by_status ON tasks (acct, status, created_ms);
CREATE INDEX IF NOT EXISTS tasks_by_type ON tasks (acct, type, created_ms);
CREATE INDEX IF NOT EXISTS tasks_by_review ON tasks (acct, review_status, created_ms);
CREATE INDEX IF NOT EXISTS tasks_by_updated ON tasks (acct, updated_ms);
CREATE INDEX IF NOT EXISTS tasks_by_completed ON tasks (acct, completed_ms);
CREATE UNIQUE INDEX IF NOT EXISTS tasks_by_unique_id ON tasks (acct, unique_id)
    WHERE unique_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS tasks_pending_live ON tasks (created_ms)
    WHERE status = 'pending' AND is_test = 0;
-- Running totals per combination of the equality filters, kept by triggers, so that `total` for
-- e.g. project=P&status=S is a sum over a handful of rows instead of a count over an index.
-- NULLs are stored as '' because NULLs never collide in a UNIQUE constraint.
CREATE TABLE IF NOT EXISTS task_counts (
    acct INTEGER NOT NULL,
    project TEXT NOT NULL,
    batch TEXT NOT NULL,
    status TEXT NOT NULL,
    type TEXT NOT NULL,
    review_status TEXT NOT NULL,
    n INTEGER NOT NULL,
    UNIQUE (acct, project, batch, status, type, review_status)
);
CREATE TRIGGER IF NOT EXISTS task_counts_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO task_counts (acct, project, batch, status, type, review_status, n)
    VALUES (NEW.acct, IFNULL(NEW.project, ''), IFNULL(NEW.batch, ''), NEW.status, NEW.type,
            IFNULL(NEW.review_status, ''), 1)
    ON CONFLICT (acct, project, batch, status, type, review_status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS task_counts_update AFTER UPDATE ON tasks
WHEN OLD.acct IS NOT NEW.acct OR OLD.project IS NOT NEW.project OR OLD.batch IS NOT NEW.batch
    OR OLD.status IS NOT NEW.status OR OLD.type IS NOT NEW.type
    OR OLD.review_status IS NOT NEW.review_status
BEGIN
    UPDATE task_counts SET n = n - 1
    WHERE acct = OLD.acct AND project = IFNULL(OLD.project, '') AND batch = IFNULL(OLD.batch, '')
        AND status = OLD.status AND type = OLD.type AND review_status = IFNULL(OLD.review_status, '');
    INSERT INTO task_counts (acct, project, batch, status, type, review_status, n)
    VALUES (NEW.acct, IFNULL(NEW.project, ''), IFNULL(NEW.batch, ''), NEW.status, NEW.type,
            IFNULL(NEW.review_status, ''), 1)
    ON CONFLICT (acct, project, batch, status, type, review_status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS task_counts_delete AFTER DELETE ON tasks BEGIN
    UPDATE task_counts SET n = n - 1
    WHERE acct = OLD.acct AND project = IFNULL(OLD.project, '') AND batch = IFNULL(OLD.batch, '')
        AND status = OLD.status AND type = OLD.type AND review_status = IFNULL(OLD.review_status, '');
END;
CREATE TABLE IF NOT EXISTS task_tags (
    acct INTEGER NOT NULL,
    tag TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    task_seq INTEGER NOT NULL,
    PRIMARY KEY (acct, tag, created_ms, task_seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS task_tags_by_task ON task_tags (task_seq, tag);
CREATE TABLE IF NOT EXISTS quality_tasks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    quality_id TEXT NOT NULL UNIQUE,
    account TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    file_id TEXT NOT NULL,
    reference_id TEXT,
    created_ms INTEGER NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (account, file_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS files_by_reference ON files (account, reference_id)
    WHERE reference_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS teammates (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    email TEXT NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (account, email)
);
CREATE TABLE IF NOT EXISTS studio_assignments (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    email TEXT NOT NULL,
    project TEXT NOT NULL,
    UNIQUE (account, email, project)
);
CREATE TABLE IF NOT EXISTS studio_groups (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    project TEXT NOT NULL,
    name TEXT NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (account, project, name)
);
CREATE TABLE IF NOT EXISTS studio_priorities (
    account TEXT PRIMARY KEY,
    names TEXT NOT NULL
);
-- The v2 data resources (storage/v2_data_store.py): deliveries, datasets, dataset deliveries and
-- tasks, their attachments, response schemas.
CREATE TABLE IF NOT EXISTS deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    delivery_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    project TEXT NOT NULL,
    delivered_ms INTEGER NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (account, project, name)
);
CREATE INDEX IF NOT EXISTS deliveries_by_project ON deliveries (account, project, delivered_ms);
CREATE TABLE IF NOT EXISTS delivery_tasks (
    delivery_seq INTEGER NOT NULL,
    position INTEGER NOT NULL,
    account TEXT NOT NULL,
    project TEXT NOT NULL,
    task_id TEXT NOT NULL,
    delivered_ms INTEGER NOT NULL,
    schema_id TEXT,
    response TEXT NOT NULL,
    PRIMARY KEY (delivery_seq, position)
);
CREATE INDEX IF NOT EXISTS delivery_tasks_by_task ON delivery_tasks (account, task_id, delivery_seq);
CREATE INDEX IF NOT EXISTS delivery_tasks_by_project ON delivery_tasks (account, project, task_id);
CREATE TABLE IF NOT EXISTS datasets (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    dataset_id TEXT NOT NULL UNIQUE,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS datasets_by_account ON datasets (account, seq);
CREATE TABLE IF NOT EXISTS dataset_deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    delivery_id TEXT NOT NULL UNIQUE,
    dataset_id TEXT NOT NULL,
    delivered_ms INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dataset_deliveries_by_dataset ON dataset_deliveries (account, dataset_id, seq);
CREATE TABLE IF NOT EXISTS dataset_tasks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    task_id TEXT NOT NULL,
    dataset_id TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    delivered_ms INTEGER NOT NULL,
    response TEXT NOT NULL,
    UNIQUE (account, task_id)
);
CREATE INDEX IF NOT EXISTS dataset_tasks_by_dataset ON dataset_tasks (account, dataset_id, seq);
CREATE INDEX IF NOT EXISTS dataset_tasks_by_delivery ON dataset_tasks (account, delivery_id, seq);
CREATE TABLE IF NOT EXISTS dataset_attachments (
    account TEXT NOT NULL,
    task_id TEXT NOT NULL,
    attachment_id TEXT NOT NULL,
    content_type TEXT NOT NULL,
    filename TEXT,
    data BLOB NOT NULL,
    PRIMARY KEY (account, task_id, attachment_id)
);
CREATE TABLE IF NOT EXISTS schemas (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    schema_id TEXT NOT NULL UNIQUE,
    json TEXT NOT NULL
);
