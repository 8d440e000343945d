#!/usr/bin/env node
// The runner image's cost: a cold build (no layer cache, every package and Node tarball
// downloaded, as on a new machine) and its size, and a warm no-op (`replay images build
// runner` when the image is there: the content hash computed, nothing built), beside
// `docker image inspect` of the same image. The cold build is made with the engine's
// classic builder, from a copy of images/runner (the Dockerfile's ARG defaults mirror
// images/toolchains.yml), under a tag of its own that is removed afterwards. Used by
// bench/run.mjs; `node bench/images.mjs` prints the figures alone.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LABEL, cli, median, onCleanup, root, timeMs } from "./lib.mjs";
import { table } from "./report.mjs";

const none = { op: "none", text: "— (recorded)" };

/** The rows for bench/run.mjs's table (see bench/report.mjs). */
export async function imageFigures({ runs = 5, cold = true } = {}) {
  execFileSync("node", [cli, "images", "build", "runner"], { stdio: "ignore" });
  const tag = JSON.parse(execFileSync("node", [cli, "images", "ls", "--json"], { encoding: "utf8" })).images.find((i) => i.name === "runner" && i.current).tag;
  const warm = [];
  const inspect = [];
  for (let i = 0; i < runs; i++) {
    warm.push(timeMs("node", [cli, "images", "build", "runner"]));
    inspect.push(timeMs("docker", ["image", "inspect", tag]));
  }
  const w = median(warm);
  const ref = median(inspect);
  const rows = [
    { figure: "runner image, warm no-op build", value: w, unit: "ms", reference: "`docker image inspect`", refValue: ref, ratio: w / ref, goal: { op: "<=", limit: 3000, on: "value", text: "≤ 3 s" }, runs },
  ];
  if (!cold) return rows;

  const context = mkdtempSync(path.join(os.tmpdir(), "replay-bench-image-"));
  const coldTag = `replay-bench-runner:${process.pid}`;
  const remove = onCleanup(() => {
    rmSync(context, { recursive: true, force: true });
    try {
      execFileSync("docker", ["rmi", "-f", coldTag], { stdio: "ignore" });
    } catch {
      // never built
    }
  });
  try {
    cpSync(path.join(root, "images/runner"), context, { recursive: true });
    // The CA bundle `replay images build` adds (REPLAY_CA_CERTS, else NODE_EXTRA_CA_CERTS
    // where it exists): behind a proxy with its own CA, no download succeeds without it.
    const ca = [process.env.REPLAY_CA_CERTS, process.env.NODE_EXTRA_CA_CERTS].find((f) => f && existsSync(f));
    if (ca) cpSync(ca, path.join(context, "extra-ca.crt"));
    else writeFileSync(path.join(context, "extra-ca.crt"), "");
    const coldMs = timeMs("docker", ["build", "--no-cache", "--force-rm", "--label", LABEL, "-t", coldTag, context], { env: { ...process.env, DOCKER_BUILDKIT: "0" } });
    const sizeMb = Number(execFileSync("docker", ["image", "inspect", "-f", "{{.Size}}", coldTag], { encoding: "utf8" }).trim()) / 1e6;
    const baseMb = Number(execFileSync("docker", ["image", "inspect", "-f", "{{.Size}}", "replay-base:bookworm"], { encoding: "utf8" }).trim()) / 1e6;
    rows.push(
      { figure: "runner image, cold build", value: coldMs, unit: "ms", reference: "—", refValue: coldMs, ratio: 1, goal: none, runs: 1 },
      { figure: "runner image, size", value: sizeMb, unit: "MB", reference: "replay-base:bookworm", refValue: baseMb, ratio: sizeMb / baseMb, goal: none, runs: 1 },
    );
  } finally {
    remove();
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(table(await imageFigures({ runs: Number(process.env.BENCH_RUNS ?? 5), cold: process.env.BENCH_COLD !== "0" })));
}
