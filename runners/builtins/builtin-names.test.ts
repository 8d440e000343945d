import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ArtifactStore, CacheStore, cacheScopes } from "../services/index.js";
import { BUILTIN_ACTION_NAMES, builtinActions } from "./index.js";

describe("BUILTIN_ACTION_NAMES", () => {
  it("names exactly the built-in actions", () => {
    const tmp = os.tmpdir();
    const stores = {
      caches: new CacheStore(path.join(tmp, "replay-names-caches")),
      artifacts: new ArtifactStore(path.join(tmp, "replay-names-artifacts")),
      repository: "o/r",
      scopes: cacheScopes({ eventName: "push", ref: "refs/heads/main", refName: "main", defaultBranch: "main" }),
    };
    expect([...BUILTIN_ACTION_NAMES].sort()).toEqual(builtinActions(stores).map((a) => a.name).sort());
  });
});
