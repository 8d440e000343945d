import { describe, expect, it } from "vitest";
import { CacheTally, formatCacheTotal, formatJobCache } from "./cache-tally.js";

describe("the run summary's caches", () => {
  it("counts restores per job; the hit rate is exact hits over all restores", () => {
    const t = new CacheTally();
    t.add("build-a", { action: "restore", result: "hit", key: "k1", step: 2 });
    t.add("build-a", { action: "restore", result: "miss", key: "k2", step: 3 });
    t.add("build-a", { action: "save", result: "saved", key: "k2", step: 9, sizeBytes: 10 });
    t.add("build-b", { action: "restore", result: "partial", key: "k3", matchedKey: "k", step: 2 });
    t.add("build-b", { action: "save", result: "not-saved", key: "k3", step: 9 });
    expect(formatJobCache(t.job("build-a"))).toBe("1 hit, 1 miss, 1 saved");
    expect(formatJobCache(t.job("build-b"))).toBe("1 partial");
    expect(formatJobCache(t.job("lint"))).toBe("");
    expect(formatCacheTotal(t.total())).toBe("caches: 1 of 3 restore(s) hit (33% hit rate), 1 from a restore key, 1 missed, 1 saved");
  });
});
