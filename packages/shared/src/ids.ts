/**
 * The shapes of DIM's identifiers, as patterns for code that checks a value without a zod schema
 * (the store, presence, the registry, a node's configuration).
 */

/**
 * A UUID in its canonical 8-4-4-4-12 hex form, any version, either case: what PostgreSQL's `uuid`
 * type accepts there. (The wire protocol's `uuid` schema is stricter: RFC 9562 versions.)
 */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A core node's id (DIM_NODE_ID): 1 to 64 of A-Z, a-z, 0-9, '.', '_' and '-' (safe in a topic, znode or key). */
export const NODE_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;
