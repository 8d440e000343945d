import { describe, expect, it } from "vitest";
import { Semaphore } from "./semaphore.js";

/** Lets every pending promise continuation run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Harness {
  started: number[];
  running: Set<number>;
  maxRunning: number;
  finish(task: number, outcome?: "ok" | "fail"): void;
  results: Promise<PromiseSettledResult<number>[]>;
}

/** Queues `count` tasks; each runs until the test finishes it. */
function queue(semaphore: Semaphore, count: number): Harness {
  const finishers = new Map<number, (outcome: "ok" | "fail") => void>();
  const h: Harness = {
    started: [],
    running: new Set(),
    maxRunning: 0,
    finish: (task, outcome = "ok") => finishers.get(task)?.(outcome),
    results: Promise.resolve([]),
  };
  const runs = Array.from({ length: count }, (_, task) =>
    semaphore.run(async () => {
      h.started.push(task);
      h.running.add(task);
      h.maxRunning = Math.max(h.maxRunning, h.running.size);
      const outcome = await new Promise<"ok" | "fail">((resolve) => finishers.set(task, resolve));
      h.running.delete(task);
      if (outcome === "fail") throw new Error(`task ${task} failed`);
      return task * 10;
    }),
  );
  h.results = Promise.allSettled(runs);
  return h;
}

describe("Semaphore", () => {
  it.each<[string, number, number, "oldest" | "newest"]>([
    ["one at a time", 1, 4, "oldest"],
    ["two at a time, finishing in order", 2, 6, "oldest"],
    ["two at a time, the newest finishing first", 2, 6, "newest"],
    ["three at a time, out of order", 3, 8, "newest"],
    ["more slots than tasks", 5, 3, "oldest"],
  ])("%s: never more than the limit, started in the order asked", async (_name, limit, count, finishing) => {
    const h = queue(new Semaphore(limit), count);
    await settle();
    expect(h.started).toEqual(Array.from({ length: Math.min(limit, count) }, (_, i) => i));
    while (h.running.size > 0) {
      const running = [...h.running];
      const next = finishing === "oldest" ? Math.min(...running) : Math.max(...running);
      h.finish(next);
      await settle();
      expect(h.running.size).toBe(Math.min(limit, count - (h.started.length - h.running.size)));
    }
    expect(h.maxRunning).toBe(Math.min(limit, count));
    expect(h.started).toEqual(Array.from({ length: count }, (_, i) => i));
    expect((await h.results).map((r) => (r.status === "fulfilled" ? r.value : "failed"))).toEqual(
      Array.from({ length: count }, (_, i) => i * 10),
    );
  });

  it("a failed task frees its slot and its caller gets the error", async () => {
    const h = queue(new Semaphore(1), 2);
    await settle();
    h.finish(0, "fail");
    await settle();
    expect(h.started).toEqual([0, 1]);
    h.finish(1);
    const [first, second] = await h.results;
    expect(first).toMatchObject({ status: "rejected", reason: new Error("task 0 failed") });
    expect(second).toEqual({ status: "fulfilled", value: 10 });
  });

  it("a task that throws before its first await frees its slot", async () => {
    const semaphore = new Semaphore(1);
    const failing = semaphore.run(() => {
      throw new Error("at once");
    });
    const next = semaphore.run(async () => "ran");
    await expect(failing).rejects.toThrow("at once");
    await expect(next).resolves.toBe("ran");
  });
});
