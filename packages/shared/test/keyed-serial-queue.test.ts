import { describe, expect, it } from "vitest";
import { KeyedSerialQueue } from "../src/node/async";
import { sleep } from "../src/node/async";

describe("KeyedSerialQueue", () => {
  it("runs one key's tasks in order and other keys alongside, surviving failures", async () => {
    const q = new KeyedSerialQueue();
    const log: string[] = [];
    const task = (name: string, ms: number, fail = false) => async () => {
      log.push(`start ${name}`);
      await sleep(ms);
      log.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    };
    const a1 = q.push("a", task("a1", 30, true));
    const a2 = q.push("a", task("a2", 1));
    const b1 = q.push("b", task("b1", 1));
    await expect(a1).rejects.toThrow("a1");
    await expect(a2).resolves.toBe("a2");
    await expect(b1).resolves.toBe("b1");
    expect(log.indexOf("end a1")).toBeLessThan(log.indexOf("start a2"));
    expect(log.indexOf("end b1")).toBeLessThan(log.indexOf("end a1"));
    await q.drain();
    expect(q.size).toBe(0);
  });
});
