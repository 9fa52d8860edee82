/**
 * The seam through which the gateway tells users' devices of contact news (`contacts` frames)
 * and tells every core node that a direct conversation's open state changed (`direct.changed`:
 * their cached member lists of it go; typing there is re-authorized). Like GroupEvents: called
 * after the commit, best effort, never throws (failures are logged). What a device misses while
 * offline it reads back with contacts.requests / contacts.list / contacts.blocked on reconnect.
 */
import { NodeLimits, type ContactsEvent, type ContactsFrame, type PublicUser } from "@dim/shared";
import type { Logger } from "@dim/shared/node";
import { publishToUsers } from "@dim/infra";
import { liveNodeIds, publishToAll, type BusGroupEventsDeps } from "../groups/bus-group-events";

/** One frame for every device of these users. */
export interface ContactPush {
  to: string[];
  event: ContactsEvent;
  /** The other user of the event, as the recipients see them. */
  user: PublicUser;
}

export interface ContactEvents {
  push(pushes: ContactPush[]): Promise<void>;
  /** A direct conversation became read-only or writable again (remove, block, unblock, re-add). */
  directChanged(conversationId: string): Promise<void>;
}

/** For a gateway without a bus: nothing is pushed (clients read the lists). */
export const NO_CONTACT_EVENTS: ContactEvents = {
  async push() {},
  async directChanged() {},
};

/** The same seams as group changes: the bus, live nodes, presence routes. */
export function busContactEvents(deps: BusGroupEventsDeps): ContactEvents {
  return {
    async push(pushes) {
      const acks: Array<Promise<void>> = [];
      for (const p of pushes) {
        const frame: ContactsFrame = { type: "contacts", event: p.event, user: p.user };
        for (let i = 0; i < p.to.length; i += NodeLimits.maxEnvelopeUsers) {
          const fanOut = await publishToUsers({
            bus: deps.bus,
            routes: deps.presence,
            userIds: p.to.slice(i, i + NodeLimits.maxEnvelopeUsers),
            envelope: (recipients) => ({ type: "contacts", userIds: recipients, frame }),
            logger: deps.logger,
          });
          acks.push(fanOut.acknowledged);
        }
      }
      await Promise.all(acks);
    },
    async directChanged(conversationId) {
      const log = deps.logger.child({ conversationId });
      await publishToAll(deps, log, await liveNodeIds(deps, log), { type: "direct.changed", conversationId });
    },
  };
}

/** Pushes after a commit; logs (never throws) when it fails. */
export async function announceContacts(events: ContactEvents, logger: Logger, pushes: ContactPush[], directChanged?: string): Promise<void> {
  try {
    // The nodes' caches first: a device told "removed" must not see the peer's typing after it.
    if (directChanged !== undefined) await events.directChanged(directChanged);
    await events.push(pushes.filter((p) => p.to.length > 0));
  } catch (err) {
    logger.warn({ err }, "contact news not pushed; devices read the lists on reconnect");
  }
}
