import { accountRouter } from "./routers/account";
import { adminRouter } from "./routers/admin";
import { authRouter } from "./routers/auth";
import { contactsRouter } from "./routers/contacts";
import { conversationsRouter } from "./routers/conversations";
import { groupsRouter } from "./routers/groups";
import { messagesRouter } from "./routers/messages";
import { nodesRouter } from "./routers/nodes";
import { notificationsRouter } from "./routers/notifications";
import { privacyRouter } from "./routers/privacy";
import { usersRouter } from "./routers/users";
import { createTRPCRouter } from "./trpc";

/** The gateway's procedures, one router per domain. Inputs/outputs: @dim/shared gateway.ts. */
export const appRouter = createTRPCRouter({
  auth: authRouter,
  account: accountRouter,
  admin: adminRouter,
  users: usersRouter,
  contacts: contactsRouter,
  conversations: conversationsRouter,
  groups: groupsRouter,
  messages: messagesRouter,
  nodes: nodesRouter,
  notifications: notificationsRouter,
  privacy: privacyRouter,
});

export type AppRouter = typeof appRouter;
