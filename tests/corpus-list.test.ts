import { isDeepStrictEqual } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { checkoutCase, corpusCases, runCliSync } from "./support/corpus.js";

// `replay list --json` needs no Docker: it must list exactly the cells each corpus case
// expects to run, for every job whose matrix is known before the run.
interface Listed {
  workflows: { file: string; jobs: { id: string; cells: { name: string; matrix: Record<string, unknown> | null }[] | null }[] }[];
}

describe.each(corpusCases())("replay list --json on corpus $name", (c) => {
  const repo = checkoutCase(c);
  afterAll(() => repo.dispose());
  const run = runCliSync(["list", "--json"], repo.dir);
  const listed = JSON.parse(run.stdout || "{}") as Listed;
  const jobs = listed.workflows?.flatMap((w) => w.jobs) ?? [];

  it("exits 0 and prints the listing", () => {
    expect(run.exitCode, run.stderr).toBe(0);
    expect(Array.isArray(listed.workflows)).toBe(true);
  });

  const expected = c.replays.flatMap((r) => r.jobs ?? []).filter((j) => !j.job.includes("/"));
  const counts = Object.assign({}, ...c.replays.map((r) => r.counts ?? {})) as Record<string, number>;

  it.each(expected.map((j) => [`${j.job}${j.matrix ? ` ${JSON.stringify(j.matrix)}` : ""}`, j] as const))("lists %s", (_d, j) => {
    const job = jobs.find((x) => x.id === j.job);
    expect(job, `job ${j.job} is listed`).toBeDefined();
    if (!job?.cells) return; // a matrix computed at run time is listed as such
    const cell = job.cells.find((x) => isDeepStrictEqual(x.matrix ?? null, j.matrix ?? null));
    expect(cell, `cells: ${job.cells.map((x) => JSON.stringify(x.matrix)).join(" ")}`).toBeDefined();
    if (j.name !== undefined) expect(cell?.name).toBe(j.name);
  });

  it.each(Object.entries(counts))("lists %s with the expected number of cells", (id, n) => {
    const job = jobs.find((x) => x.id === id);
    if (job?.cells === null) return; // run-time matrix: counted by the Docker corpus test
    expect(job?.cells?.length).toBe(n);
  });
});
