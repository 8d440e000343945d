import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ArtifactStore, validArtifactName } from "./artifact-store.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function store(): ArtifactStore {
  const d = mkdtempSync(path.join(os.tmpdir(), "replay-artifacts-"));
  dirs.push(d);
  return new ArtifactStore(d);
}

async function upload(s: ArtifactStore, name: string, content: string) {
  const u = await s.begin({ name, mimeType: "application/zip", runBackendId: "r", jobBackendId: "j" });
  await writeFile(u.blobPath, content);
  return u.finalize();
}

describe("ArtifactStore", () => {
  it("gives cells finalizing at once distinct ids, and keeps a sha256 digest", async () => {
    const s = store();
    const records = await Promise.all(["a", "b", "c", "d"].map((n) => upload(s, n, n)));
    expect(records.map((r) => r?.id).sort()).toEqual([1, 2, 3, 4]);
    expect(records[0]?.digest).toBe("sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb");
    expect(readdirSync(s.dir).sort()).toEqual(["a", "b", "c", "d"]);
  });

  it("refuses a second artifact of the same name, and takes it after a delete", async () => {
    const s = store();
    expect(await upload(s, "dist", "1")).toBeDefined();
    expect(await upload(s, "dist", "2")).toBeUndefined();
    await s.delete("dist");
    expect((await upload(s, "dist", "3"))?.id).toBe(2);
    expect((await s.list()).map((a) => [a.name, a.sizeBytes])).toEqual([["dist", 1]]);
  });

  it.each<[string, boolean]>([
    ["build-core", true],
    ["my artifact (1)", true],
    ["a/b", false],
    ["a:b", false],
    ["..", false],
    ["", false],
  ])("name %j is valid: %s", (name, valid) => expect(validArtifactName(name)).toBe(valid));
});
