import { adminRouter } from "./routers/admin";
import { authRouter } from "./routers/auth";
import { contactsRouter } from "./routers/contacts";
import { conversationsRouter } from "./routers/conversations";
import { groupsRouter } from "./routers/groups";
import { nodesRouter } from "./routers/nodes";
import { privacyRouter } from "./routers/privacy";
import { usersRouter } from "./routers/users";
import { createTRPCRouter } from "./trpc";

/** The gateway's procedures, one router per domain. Inputs/outputs: @dim/shared gateway.ts. */
export const appRouter = createTRPCRouter({
  auth: authRouter,
  admin: adminRouter,
  users: usersRouter,
  contacts: contactsRouter,
  conversations: conversationsRouter,
  groups: groupsRouter,
  nodes: nodesRouter,
  privacy: privacyRouter,
});

export type AppRouter = typeof appRouter;
