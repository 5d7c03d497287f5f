// tests/http/lib/dbdump.mjs - every row of every table of a server's database, read
// straight from the database (the sqlite3 and psql command-line clients), not through
// qunzu: the tables are whatever the schema has, so a table added later is covered
// without a change here.
//
// dumpDb(db) takes a --db value (dbOf(srv), or "sqlite:PATH" of any SQLite file, a
// snapshot say) and returns { table: [row, ...] }, each row its JSON text with the
// columns in name order, the rows sorted: two dumps compare with deepEqual whatever
// order the rows were written in.

import { execFileSync } from 'node:child_process';

const SKIP = new Set(['schema_migrations']);

function norm(row) {
    return JSON.stringify(Object.fromEntries(Object.entries(row).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

function sqlite(path, sql) {
    const out = execFileSync('sqlite3', ['-json', path, sql], { encoding: 'utf8', maxBuffer: 1 << 30 });
    return out.trim() ? JSON.parse(out) : [];
}

function psql(url, sql) {
    return execFileSync('psql', [url, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8', maxBuffer: 1 << 30 })
        .split('\n')
        .filter(Boolean);
}

/** The table names of the database (but schema_migrations). */
export function tablesOf(db) {
    if (db.startsWith('sqlite:')) {
        return sqlite(db.slice(7), "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .map((r) => r.name)
            .filter((t) => !SKIP.has(t));
    }
    return psql(db, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1").filter((t) => !SKIP.has(t));
}

export function dumpDb(db) {
    const out = {};
    for (const t of tablesOf(db)) {
        const rows = db.startsWith('sqlite:')
            ? sqlite(db.slice(7), `SELECT * FROM "${t}"`).map(norm)
            : psql(db, `SELECT row_to_json(x)::text FROM "${t}" x`).map((l) => norm(JSON.parse(l)));
        out[t] = rows.sort();
    }
    return out;
}

/** A dump without the named tables, and with 'fn' applied to the rows of the others. */
export function without(dump, tables, fn = (t, rows) => rows) {
    const out = {};
    for (const [t, rows] of Object.entries(dump)) if (!tables.includes(t)) out[t] = fn(t, rows);
    return out;
}
