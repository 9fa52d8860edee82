/** Whether the PWA lets me write in a direct conversation (lib/direct-state.ts). */
import { describe, expect, it } from "vitest";
import { directStateOf } from "../src/lib/direct-state";

const peer = { id: "7d1e9a24-3c8b-4f6e-a2d5-9b0c4e8f1a37", username: "bob", displayName: "Bob", statusText: "", avatarUrl: null };
const lists = (over: { loaded?: boolean; contacts?: string[]; blocked?: string[] } = {}) => ({
  loaded: over.loaded ?? true,
  contactIds: new Set(over.contacts ?? [peer.id]),
  blockedIds: new Set(over.blocked ?? []),
});

describe("directStateOf", () => {
  it("open for a contact, blocked when I blocked them (contact or not), removed when no longer a contact", () => {
    expect(directStateOf(peer, lists())).toBe("open");
    expect(directStateOf(peer, lists({ blocked: [peer.id] }))).toBe("blocked");
    expect(directStateOf(peer, lists({ contacts: [], blocked: [peer.id] }))).toBe("blocked");
    expect(directStateOf(peer, lists({ contacts: [] }))).toBe("removed");
  });
  it("deleted for a deleted account whatever the lists; open until the lists are loaded", () => {
    expect(directStateOf({ ...peer, username: "deleted_0123456789abcdef01234567" }, lists())).toBe("deleted");
    expect(directStateOf(peer, lists({ loaded: false, contacts: [] }))).toBe("open");
  });
});
