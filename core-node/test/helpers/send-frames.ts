/** Sending frames from a TestClient and waiting for their answers (the events and mentions tests). */
import { expect } from "vitest";
import type { Message, SendFrame } from "@dim/shared";
import { clientMsgId } from "./cluster";
import type { TestClient } from "./test-client";

/** A `send` frame without what the helpers fill in. */
export type Send = SendFrame extends infer F ? (F extends SendFrame ? Omit<F, "type" | "clientMsgId" | "conversationId"> : never) : never;

/** Sends one frame and resolves with its `sent` seq. */
export async function send(client: TestClient, conversationId: string, frame: Send, id = clientMsgId()): Promise<number> {
  client.send({ type: "send", conversationId, clientMsgId: id, ...frame });
  return (await client.next("sent", (f) => f.clientMsgId === id)).seq;
}

/** Sends one frame that must be refused with `code`; resolves once the error is back. */
export async function refused(client: TestClient, conversationId: string, frame: Send, code: string): Promise<void> {
  const id = clientMsgId();
  client.send({ type: "send", conversationId, clientMsgId: id, ...frame } as never);
  expect((await client.next("error", (f) => f.ref === id)).code).toBe(code);
}

/** The push of `seq` in the conversation. */
export async function pushed(client: TestClient, conversationId: string, seq: number): Promise<Message> {
  return (await client.next("message", (f) => f.message.conversationId === conversationId && f.message.seq === seq)).message;
}
