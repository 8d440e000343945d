import os from "node:os";
import { describe, expect, it } from "vitest";
import { defaultParallel } from "./option-args.js";

describe("defaultParallel", () => {
  it("lets at least 4 job containers run at once (GitHub runs them all), more on a machine with more cores", () => {
    expect(defaultParallel()).toBe(Math.max(4, os.availableParallelism()));
    expect(defaultParallel()).toBeGreaterThanOrEqual(4);
  });
});
