/**
 * Creates an account; the first account of a database is its admin. Two first registrations at
 * once must not both become admin, nor neither: while the users table looks empty, a creation
 * takes a transaction-scoped advisory lock, looks again under it and inserts with is_admin set
 * from that second look. The lock is released at commit, so the next one sees the admin's row.
 * Once any user exists, creations skip the lock (the common case pays one indexed EXISTS).
 */
import { lockKey, type Db } from "../db";

export interface NewUser {
  id: string;
  username: string;
  passwordHash: string;
  displayName: string;
}

export async function createUser(db: Db, data: NewUser) {
  const anyUser = async (tx: Pick<Db, "user">) => (await tx.user.findFirst({ select: { id: true } })) !== null;
  if (await anyUser(db)) return db.user.create({ data });
  return db.$transaction(async (tx) => {
    await lockKey(tx, "dim:first-admin");
    const isAdmin = !(await anyUser(tx));
    return tx.user.create({ data: { ...data, isAdmin } });
  });
}
