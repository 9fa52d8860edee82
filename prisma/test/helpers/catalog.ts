/**
 * A normalised description of what schema.prisma can express in the `public` schema: tables,
 * columns (type, nullability, default), primary/unique/foreign keys, indexes and enums. Column
 * order is left out (a later migration appends columns; Prisma's own diff ignores order too),
 * as are check constraints, triggers, functions, extensions and partial or expression indexes
 * (the message search indexes of 20261222120000_message_search), which schema.prisma cannot
 * describe.
 */
import pg from "pg";

export type Catalog = Record<string, string[]>;

const QUERIES: Record<string, string> = {
  tables: `
    SELECT c.relname || ' ' || c.relkind::text AS line FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')`,
  columns: `
    SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
      || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE ' NULL' END
      || COALESCE(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
      || CASE WHEN a.attidentity <> '' THEN ' IDENTITY ' || a.attidentity::text ELSE '' END
      || CASE WHEN a.attgenerated <> '' THEN ' GENERATED' ELSE '' END AS line
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped`,
  constraints: `
    SELECT cl.relname || ' ' || co.conname || ' ' || pg_get_constraintdef(co.oid) AS line
    FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
    WHERE n.nspname = 'public' AND co.contype IN ('p', 'u', 'f', 'x')`,
  indexes: `
    SELECT i.indexname || ' ' || i.indexdef AS line FROM pg_indexes i
    JOIN pg_class c ON c.relname = i.indexname JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = i.schemaname
    JOIN pg_index x ON x.indexrelid = c.oid
    WHERE i.schemaname = 'public' AND x.indpred IS NULL AND x.indexprs IS NULL`,
  enums: `
    SELECT t.typname || ' (' || string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder) || ')' AS line
    FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = 'public' GROUP BY t.typname`,
};

export async function dumpCatalog(url: string): Promise<Catalog> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const out: Catalog = {};
    for (const [what, sql] of Object.entries(QUERIES)) {
      const { rows } = await client.query<{ line: string }>(sql);
      out[what] = rows.map((r) => r.line).sort();
    }
    return out;
  } finally {
    await client.end();
  }
}

export async function execSql(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
