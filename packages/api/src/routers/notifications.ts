import {
  AppError,
  ErrorCode,
  muteFrame,
  muteInput,
  mutedUntilOf,
  notificationSettings,
  okOutput,
  pushSubscriptionInput,
  updateNotificationSettingsInput,
  vapidKeyOutput,
  type NotificationSettings,
} from "@dim/shared";
import { publishNotify } from "../notifications/publish-notify";
import { storeSubscription } from "../notifications/store-subscription";
import { authedProcedure, createTRPCRouter, publicProcedure } from "../trpc";

const SETTINGS_SELECT = { pushPreview: true, dnd: true } as const;
const settingsOf = (u: { pushPreview: NotificationSettings["preview"]; dnd: boolean }): NotificationSettings => ({ preview: u.pushPreview, dnd: u.dnd });

/** Web Push subscriptions, notification settings and mutes (docs/protocol.md §20 "notifications.*"). */
export const notificationsRouter = createTRPCRouter({
  /** The VAPID public key (`applicationServerKey`); NOT_FOUND when this server sends no pushes. */
  vapidKey: publicProcedure.output(vapidKeyOutput).query(({ ctx }) => {
    if (!ctx.config.push) throw new AppError(ErrorCode.NotFound, "Web Push is not configured on this server");
    return { publicKey: ctx.config.push.publicKey };
  }),

  /** Stores this browser's subscription for the calling session (replacing the session's previous one). */
  subscribe: authedProcedure
    .input(pushSubscriptionInput)
    .output(okOutput)
    .mutation(async ({ ctx, input }) => {
      await storeSubscription(ctx, ctx.session, input);
      return { ok: true as const };
    }),

  /** Removes the calling session's subscription (notifications turned off on this device). */
  unsubscribe: authedProcedure.output(okOutput).mutation(async ({ ctx }) => {
    await ctx.prisma.$executeRaw`DELETE FROM push_subscriptions WHERE session_id = ${ctx.session.sessionId}::uuid`;
    return { ok: true as const };
  }),

  settings: authedProcedure.output(notificationSettings).query(async ({ ctx }) => {
    return settingsOf(await ctx.prisma.user.findUniqueOrThrow({ where: { id: ctx.user.id }, select: SETTINGS_SELECT }));
  }),

  /** Changes the preview level and/or do not disturb; every device of the user hears `notify.settings`. */
  update: authedProcedure
    .input(updateNotificationSettingsInput)
    .output(notificationSettings)
    .mutation(async ({ ctx, input }) => {
      const user = await ctx.prisma.user.update({
        where: { id: ctx.user.id },
        data: { ...(input.preview !== undefined ? { pushPreview: input.preview } : {}), ...(input.dnd !== undefined ? { dnd: input.dnd } : {}) },
        select: SETTINGS_SELECT,
      });
      const settings = settingsOf(user);
      await publishNotify(ctx, ctx.user.id, { type: "notify.settings", settings });
      return settings;
    }),

  /**
   * Mutes a conversation of yours for 1 h, 8 h, a week or forever, or unmutes it (`off`).
   * NOT_FOUND for a conversation you never were a member of. Every device hears `mute`.
   */
  mute: authedProcedure
    .input(muteInput)
    .output(muteFrame)
    .mutation(async ({ ctx, input }) => {
      const mutedUntil = mutedUntilOf(input.duration);
      const updated = await ctx.prisma.$executeRaw`
        UPDATE conversation_members SET muted_until = ${mutedUntil}::timestamptz
        WHERE conversation_id = ${input.conversationId}::uuid AND user_id = ${ctx.user.id}::uuid`;
      if (updated === 0) throw new AppError(ErrorCode.NotFound, "no such conversation of yours");
      const frame = { type: "mute" as const, conversationId: input.conversationId, mutedUntil };
      await publishNotify(ctx, ctx.user.id, frame);
      return frame;
    }),
});
