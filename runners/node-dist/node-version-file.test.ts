import { describe, expect, it } from "vitest";
import { bundledTools } from "./bundled-tools.js";
import { parseNodeVersionFile } from "./node-version-file.js";
import type { VersionFileResult } from "./node-version-file.js";

describe("parseNodeVersionFile: setup-node's reading of node-version-file", () => {
  it.each<[string, string, VersionFileResult]>([
    [".nvmrc", "22\n", { version: "22" }],
    [".nvmrc with a v", "v20.11.1\n", { version: "20.11.1" }],
    [".nvmrc with an alias", "lts/iron\n", { version: "lts/iron" }],
    [".node-version", "22.11.0", { version: "22.11.0" }],
    [".tool-versions", "ruby 3.3.0\nnodejs 22.1.0\n", { version: "22.1.0" }],
    [".tool-versions with node", "node 20\n", { version: "20" }],
    ["a comment first", "# pinned\n22\n", { version: "22" }],
    ["package.json engines", '{"engines":{"node":">=20 <23"}}', { version: ">=20 <23" }],
    ["package.json volta before engines", '{"volta":{"node":"22.11.0"},"engines":{"node":">=18"}}', { version: "22.11.0" }],
    ["package.json devEngines", '{"devEngines":{"runtime":[{"name":"bun","version":"1"},{"name":"Node","version":"^22"}]},"engines":{"node":"18"}}', { version: "^22" }],
    ["package.json volta.extends", '{"volta":{"extends":"../package.json"}}', { extends: "../package.json" }],
    ["package.json without a version", '{"name":"x"}', { version: null }],
  ])("%s", (_name, contents, expected) => {
    expect(parseNodeVersionFile(contents)).toEqual(expected);
  });
});

describe("bundledTools: the npm and corepack of a release, from its CHANGELOG.md", () => {
  const entry = (what: string): string => `* \\[[\`2ea16d3bd6\`](https://github.com/nodejs/node/commit/2ea16d3bd6)] - **deps**: ${what} (npm team) [#1](https://github.com/nodejs/node/pull/1)`;
  it.each<[string, string[], { npm?: string; corepack?: string }]>([
    ["the newest entries", [entry("update corepack to 0.34.6"), entry("upgrade npm to 10.8.2"), entry("upgrade npm to 10.8.1"), entry("update corepack to 0.34.5")], { npm: "10.8.2", corepack: "0.34.6" }],
    ["update npm, as older changelogs say", [entry("update npm to 6.14.18")], { npm: "6.14.18" }],
    ["no corepack", [entry("upgrade npm to 2.15.11")], { npm: "2.15.11" }],
    ["nothing", ["## 2026-11-11, Version 24.22.3 'Krypton' (LTS)"], {}],
  ])("%s", (_name, lines, expected) => {
    expect(bundledTools(lines.join("\n"))).toEqual(expected);
  });
});
