import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findPackageRoot } from "./image-builder.js";
import { parseEntry } from "./parity-compare.js";
import { parseProbeOutput, probeScript } from "./parity-probe.js";
import { outcomeOf, paritySections, planParity, probeCommand, readParityReference, readParitySpec, versionsFrom } from "./parity-spec.js";
import type { PlannedEntry } from "./parity-spec.js";

const imagesDir = path.join(findPackageRoot(), "images");

describe("images/parity.yml against the reference", () => {
  it("has a rule for every entry of GitHub's software report", async () => {
    const plan = planParity(await readParityReference(imagesDir), await readParitySpec(imagesDir));
    expect(plan.filter((p) => p.rule === undefined).map((p) => `${p.entry.section}: ${p.entry.name}`)).toEqual([]);
  });

  it("names only sections and entries the reference has (a stale rule would never apply)", async () => {
    const reference = await readParityReference(imagesDir);
    const spec = await readParitySpec(imagesDir);
    const stale: string[] = [];
    for (const [section, rules] of Object.entries(spec.sections)) {
      const names = (reference.sections[section] ?? []).map((t) => parseEntry(section, t).name);
      if (!(section in reference.sections)) stale.push(section);
      for (const name of Object.keys(rules)) if (name !== "*" && !names.includes(name)) stale.push(`${section}: ${name}`);
    }
    expect(stale).toEqual([]);
  });

  it("gives every entry a probe or a reason it is missing", async () => {
    const plan = planParity(await readParityReference(imagesDir), await readParitySpec(imagesDir));
    expect(plan.filter((p) => p.command === undefined && p.rule?.missing === undefined).map((p) => p.entry.name)).toEqual([]);
  });
});

describe("probes", () => {
  const entry = parseEntry("Tools", "zstd 1.5.7");
  it.each([
    [{ probe: "zstd --version", pattern: "v(\\d[\\d.]*)" }, "*** Zstandard CLI (64-bit) v1.5.4, by Yann Collet ***", ["1.5.4"]],
    [{ probe: "g++ --version" }, "g++ (Debian 12.2.0-14) 12.2.0\nCopyright", ["12.2.0"]],
    [{ toolcache: "node" }, "18.20.8\n20.20.2\n22.23.5", ["18.20.8", "20.20.2", "22.23.5"]],
    [{ apt: true as const }, "1:9.2p1-2+deb12u7", ["9.2"]],
    [{ probe: "parallel --version" }, "GNU parallel 20221122", ["20221122"]],
  ])("%j reads %j as %j", (rule, output, versions) => {
    expect(versionsFrom(rule, output)).toEqual(versions);
  });

  it("turns a rule into a command, the entry's name filled in", () => {
    const java = parseEntry("Java", "17.0.20+8 (default) JAVA_HOME_17_X64");
    expect(probeCommand({ probe: '"${{name}:?}/bin/java" -version' }, java)).toBe('"${JAVA_HOME_17_X64:?}/bin/java" -version');
    expect(probeCommand({ env: true }, java)).toBe('[ -n "${JAVA_HOME_17_X64+set}" ]');
    expect(probeCommand({ missing: "out-of-scope" }, entry)).toBeUndefined();
  });

  it("runs every probe in one bash script and reads back each status and output", () => {
    const plan: PlannedEntry[] = [
      { entry, rule: { probe: "x" }, command: "echo 'tool 1.2.3'; echo more" },
      { entry, rule: { missing: "out-of-scope" }, command: undefined },
      { entry, rule: { probe: "x" }, command: "nosuchcommand-parity --version" },
      { entry, rule: { env: true }, command: '[ -n "${PARITY_TEST_VAR+set}" ]' },
      { entry, rule: { probe: "x" }, command: "printf v5.36.0" },
    ];
    const output = execFileSync("bash", ["-c", probeScript(plan)], { encoding: "utf8", env: { PATH: process.env["PATH"] ?? "", PARITY_TEST_VAR: "1" } });
    const answers = parseProbeOutput(output);
    expect(answers.get(0)).toEqual({ exitCode: 0, output: "tool 1.2.3\nmore" });
    expect(answers.has(1)).toBe(false);
    expect(answers.get(2)?.exitCode).toBe(127);
    expect(answers.get(3)).toEqual({ exitCode: 0, output: "" });
    expect(answers.get(4), "output without a final newline").toEqual({ exitCode: 0, output: "v5.36.0" });
  }, 30_000);

  it("calls a failed probe missing with its rule's reason, and an env probe that passed present", () => {
    const planned: PlannedEntry = { entry, rule: { probe: "zstd --version", missing: "not-installed", note: "Debian has {name}" }, command: "zstd --version" };
    expect(outcomeOf(planned, { exitCode: 127, output: "zstd: command not found" })).toEqual({ found: undefined, parts: 1, reason: { category: "not-installed", note: "Debian has zstd" } });
    expect(outcomeOf({ ...planned, rule: { env: true } }, { exitCode: 0, output: "" }).found).toEqual([]);
  });

  it("groups the items by section with their counts, notes on present items kept unless they are a missing reason", () => {
    const yq = parseEntry("Tools", "yq 4.53.3");
    const plan: PlannedEntry[] = [
      { entry, rule: { probe: "zstd" }, command: "zstd" },
      { entry: yq, rule: { probe: "yq", note: "another program" }, command: "yq" },
      { entry, rule: { probe: "zstd", missing: "not-installed", note: "Debian has it" }, command: "zstd" },
    ];
    const sections = paritySections(plan, new Map([[0, { exitCode: 0, output: "v1.5.4" }], [1, { exitCode: 0, output: "yq 3.1.0" }], [2, { exitCode: 0, output: "v1.5.4" }]]));
    expect(sections).toEqual([
      {
        name: "Tools",
        counts: { same: 2, other: 1, missing: 0 },
        items: [
          { name: "zstd", reference: "zstd 1.5.7", referenceVersions: ["1.5.7"], status: "same", found: ["1.5.4"] },
          { name: "yq", reference: "yq 4.53.3", referenceVersions: ["4.53.3"], status: "other", found: ["3.1.0"], note: "another program" },
          { name: "zstd", reference: "zstd 1.5.7", referenceVersions: ["1.5.7"], status: "same", found: ["1.5.4"] },
        ],
      },
    ]);
  });
});
