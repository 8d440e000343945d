import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ReplayError } from "../../common/index.js";
import { findPackageRoot, resolveCaCertsFile } from "./image-builder.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "replay-ca-"));
const proxyCa = path.join(dir, "proxy.pem");
const otherCa = path.join(dir, "other.pem");
writeFileSync(proxyCa, "-----BEGIN CERTIFICATE-----\n");
writeFileSync(otherCa, "-----BEGIN CERTIFICATE-----\n");
const missing = path.join(dir, "missing.pem");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("resolveCaCertsFile", () => {
  it.each<[string, string | false | undefined, Record<string, string>, string | undefined]>([
    ["the option wins", otherCa, { REPLAY_CA_CERTS: proxyCa, NODE_EXTRA_CA_CERTS: proxyCa }, otherCa],
    ["false means none, whatever the environment says", false, { REPLAY_CA_CERTS: proxyCa }, undefined],
    ["REPLAY_CA_CERTS before NODE_EXTRA_CA_CERTS", undefined, { REPLAY_CA_CERTS: otherCa, NODE_EXTRA_CA_CERTS: proxyCa }, otherCa],
    ["NODE_EXTRA_CA_CERTS when it exists", undefined, { NODE_EXTRA_CA_CERTS: proxyCa }, proxyCa],
    ["NODE_EXTRA_CA_CERTS naming no file is ignored", undefined, { NODE_EXTRA_CA_CERTS: missing }, undefined],
    ["an empty REPLAY_CA_CERTS counts as unset", undefined, { REPLAY_CA_CERTS: "", NODE_EXTRA_CA_CERTS: proxyCa }, proxyCa],
    ["nothing set: none", undefined, {}, undefined],
  ])("%s", (_name, option, env, expected) => {
    expect(resolveCaCertsFile(option, env)).toBe(expected);
  });

  it("refuses a REPLAY_CA_CERTS naming no file, rather than building without it", () => {
    expect(() => resolveCaCertsFile(undefined, { REPLAY_CA_CERTS: missing })).toThrow(ReplayError);
    expect(() => resolveCaCertsFile(undefined, { REPLAY_CA_CERTS: missing })).toThrow(/missing\.pem does not exist/);
  });
});

describe("findPackageRoot", () => {
  it("finds replay's root from this source file and from where the compiled file lives", () => {
    const root = findPackageRoot();
    expect(root).toBe(path.resolve(import.meta.dirname, "../.."));
    expect(findPackageRoot(path.join(root, "dist", "runners", "docker"))).toBe(root);
  });

  it("walks past package.json files of other packages", () => {
    const nested = path.join(dir, "node_modules", "other", "lib");
    mkdirSync(nested, { recursive: true });
    writeFileSync(path.join(dir, "node_modules", "other", "package.json"), JSON.stringify({ name: "other" }));
    writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "replay-ci" }));
    expect(findPackageRoot(nested)).toBe(dir);
  });
});
