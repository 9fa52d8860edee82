import { privacySettings, setPrivacyInput } from "@dim/shared";
import { authedProcedure, createTRPCRouter } from "../trpc";

/**
 * The caller's privacy settings. "Hide my last seen" is read by the core nodes whenever they
 * tell contacts of a presence change or answer `presence.query`, so it applies from the next one.
 */
export const privacyRouter = createTRPCRouter({
  get: authedProcedure.output(privacySettings).query(async ({ ctx }) => {
    const user = await ctx.prisma.user.findUniqueOrThrow({ where: { id: ctx.user.id }, select: { hideLastSeen: true } });
    return { hideLastSeen: user.hideLastSeen };
  }),
  set: authedProcedure
    .input(setPrivacyInput)
    .output(privacySettings)
    .mutation(async ({ ctx, input }) => {
      const user = await ctx.prisma.user.update({ where: { id: ctx.user.id }, data: { hideLastSeen: input.hideLastSeen }, select: { hideLastSeen: true } });
      return { hideLastSeen: user.hideLastSeen };
    }),
});
