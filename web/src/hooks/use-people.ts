"use client";
import { useCallback, useEffect, useSyncExternalStore } from "react";
import type { PublicUser } from "@dim/shared";
import { loadPeople, peopleSnapshot, subscribePeople } from "@/lib/people";
import type { NameOf } from "@/lib/system-text";

const EMPTY: ReadonlyMap<string, PublicUser> = new Map();

/** The people the app knows (lib/people.ts) and a display-name lookup over them. */
export function usePeople(): { people: ReadonlyMap<string, PublicUser>; nameOf: NameOf } {
  useEffect(loadPeople, []);
  const people = useSyncExternalStore(subscribePeople, peopleSnapshot, () => EMPTY);
  const nameOf = useCallback<NameOf>((id) => people.get(id)?.displayName, [people]);
  return { people, nameOf };
}
