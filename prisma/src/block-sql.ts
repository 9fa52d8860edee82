/**
 * The one SQL test for "neither of these two users blocked the other" (user_blocks), shared by
 * every read that must leave blocked pairs out: presence watchers and contacts, profile pushes,
 * group admission. `a` and `b` are SQL expressions of the two user ids (columns, usually).
 */
export function noBlockBetween(a: string, b: string): string {
  return `NOT EXISTS (
        SELECT 1 FROM user_blocks ub
        WHERE (ub.blocker_id = ${a} AND ub.blocked_id = ${b}) OR (ub.blocker_id = ${b} AND ub.blocked_id = ${a}))`;
}
