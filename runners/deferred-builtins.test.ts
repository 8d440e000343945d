import { describe, expect, it } from "vitest";
import type { BuiltinAction } from "./builtin-actions.js";
import { deferredRegistry } from "./deferred-builtins.js";
import type { StepHost } from "./job/step-host.js";

const host = {} as StepHost;

describe("deferredRegistry", () => {
  it("finds every built-in by name and loads their code once, on the first run of one", async () => {
    const ran: string[] = [];
    let loads = 0;
    const load = async (): Promise<readonly BuiltinAction[]> => {
      loads++;
      return [
        { name: "actions/checkout", main: async () => (ran.push("checkout"), true) },
        { name: "actions/cache", main: async () => (ran.push("cache"), true), post: async () => (ran.push("cache post"), false) },
      ];
    };
    const registry = deferredRegistry(load);
    const checkout = registry.find("actions/checkout@v4");
    const cache = registry.find("Actions/Cache@v4");
    expect(checkout?.name).toBe("actions/checkout");
    expect(registry.find("actions/setup-node@v4")?.name).toBe("actions/setup-node");
    expect(registry.find("someone/else@v1")).toBeUndefined();
    expect(loads).toBe(0);
    expect(await checkout?.main(host)).toBe(true);
    expect(await cache?.main(host)).toBe(true);
    // The post of an action that has one runs it; one without has nothing to do.
    expect(await cache?.post?.(host)).toBe(false);
    expect(await checkout?.post?.(host)).toBe(true);
    expect(ran).toEqual(["checkout", "cache", "cache post"]);
    expect(loads).toBe(1);
  });

  it("leaves out what --no-builtin names", () => {
    const registry = deferredRegistry(async () => [], ["actions/cache@v4"]);
    expect(registry.find("actions/cache@v4")).toBeUndefined();
    expect(registry.find("actions/checkout@v4")).toBeDefined();
  });

  it("says replay is wrong when a named built-in is not in the code", async () => {
    const registry = deferredRegistry(async () => []);
    await expect(registry.find("actions/checkout@v4")?.main(host)).rejects.toThrow(/named but not built in/);
  });

  it("loads the code ahead when preloaded (a container is starting), once, and again after a failed preload", async () => {
    let loads = 0;
    let fail = true;
    const registry = deferredRegistry(async () => {
      loads++;
      if (fail) throw new Error("not there yet");
      return [{ name: "actions/checkout", main: async () => true }];
    });
    registry.preload();
    await new Promise((r) => setTimeout(r, 0));
    expect(loads).toBe(1);
    fail = false;
    registry.preload();
    await new Promise((r) => setTimeout(r, 0));
    expect(loads).toBe(2);
    expect(await registry.find("actions/checkout@v4")?.main(host)).toBe(true);
    registry.preload();
    expect(loads).toBe(2);
  });
});
