import {
  addMembersInput,
  addMembersOutput,
  createGroupInput,
  createGroupOutput,
  groupChangeOutput,
  groupMemberInput,
  groupMembersInput,
  groupMembersOutput,
  leaveGroupInput,
  renameGroupInput,
  setRoleInput,
} from "@dim/shared";
import { addMembers } from "../groups/add-members";
import { renameGroup, setRole, transferOwnership } from "../groups/change-group";
import { createGroup } from "../groups/create-group";
import { leaveGroup, removeMember } from "../groups/end-membership";
import { listGroupMembers } from "../groups/list-group-members";
import { authedProcedure, createTRPCRouter, memberProcedure } from "../trpc";

/**
 * Group chat: every change is one transaction that appends a `system` message and is announced
 * to the nodes after it commits (groups/group-transaction.ts). Rules: docs/protocol.md.
 */
export const groupsRouter = createTRPCRouter({
  /** A new group owned by you, with initial members from your contacts. */
  create: authedProcedure
    .input(createGroupInput)
    .output(createGroupOutput)
    .mutation(({ ctx, input }) => createGroup(ctx, ctx.user.id, input)),

  /** Owner or admin adds contacts of theirs (former members come back from now on). */
  addMembers: authedProcedure
    .input(addMembersInput)
    .output(addMembersOutput)
    .mutation(({ ctx, input }) => addMembers(ctx, ctx.user.id, input)),

  /** The owner removes anyone but itself; an admin removes plain members. */
  removeMember: authedProcedure
    .input(groupMemberInput)
    .output(groupChangeOutput)
    .mutation(({ ctx, input }) => removeMember(ctx, ctx.user.id, input)),

  /** You leave; the owner only when alone (otherwise transfer ownership first). */
  leave: authedProcedure
    .input(leaveGroupInput)
    .output(groupChangeOutput)
    .mutation(({ ctx, input }) => leaveGroup(ctx, ctx.user.id, input)),

  rename: authedProcedure
    .input(renameGroupInput)
    .output(groupChangeOutput)
    .mutation(({ ctx, input }) => renameGroup(ctx, ctx.user.id, input)),

  /** Owner only: make an active member admin, or plain member again. */
  setRole: authedProcedure
    .input(setRoleInput)
    .output(groupChangeOutput)
    .mutation(({ ctx, input }) => setRole(ctx, ctx.user.id, input)),

  /** Owner only: hand the group over; you become admin. */
  transferOwnership: authedProcedure
    .input(groupMemberInput)
    .output(groupChangeOutput)
    .mutation(({ ctx, input }) => transferOwnership(ctx, ctx.user.id, input)),

  /** Active members with roles and cursors, a page at a time. Active members only may ask. */
  members: memberProcedure(groupMembersInput, { active: true })
    .output(groupMembersOutput)
    .query(({ ctx, input }) => listGroupMembers(ctx.prisma, input)),
});
