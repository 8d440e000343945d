import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// A loop in the imports, `import type` included, is one a reader must untangle to hold
// either end (STYLE.md, "The job's wing"). This walks runners/ as the source says it.

const root = path.dirname(fileURLToPath(import.meta.url));

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(full);
  }
  return out;
}

/** The files of `files` that `file` imports or re-exports from, `import type` and `import()` included. */
function importsOf(file: string, files: ReadonlySet<string>): string[] {
  const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  const out = new Set<string>();
  for (const ref of info.importedFiles) {
    if (!ref.fileName.startsWith(".")) continue;
    const target = path.resolve(path.dirname(file), ref.fileName);
    const candidates = [target.replace(/\.js$/, ".ts"), target.replace(/\.js$/, ".tsx"), target, `${target}.ts`, path.join(target, "index.ts")];
    const hit = candidates.find((c) => files.has(c));
    if (hit) out.add(hit);
  }
  return [...out];
}

/** Every strongly connected component of more than one file (or a file importing itself), each as one cycle through it. */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (;;) {
      const w = stack.pop() as string;
      onStack.delete(w);
      component.push(w);
      if (w === v) break;
    }
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) components.push(component);
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  // A shortest way round each component, from its first file back to itself, to name it.
  return components.map((component) => {
    const inside = new Set(component);
    const start = [...component].sort()[0] as string;
    const from = new Map<string, string>();
    const queue = [start];
    for (let i = 0; i < queue.length; i++) {
      const v = queue[i] as string;
      for (const w of graph.get(v) ?? []) {
        if (!inside.has(w)) continue;
        if (w === start) {
          const cycle = [start];
          for (let at = v; at !== start; at = from.get(at) as string) cycle.splice(1, 0, at);
          return [...cycle, start];
        }
        if (!from.has(w)) {
          from.set(w, v);
          queue.push(w);
        }
      }
    }
    return [start, start];
  });
}

describe("the import graph of runners/", () => {
  const files = sourceFiles(root);
  const set = new Set(files);
  const graph = new Map(files.map((f) => [f, importsOf(f, set)] as const));
  const name = (f: string): string => path.relative(root, f);

  it("sees the imports it must see (type-only and re-exports included)", () => {
    // Guards the walk itself: a resolver that found nothing would find no cycle either.
    const edges = [...graph.values()].reduce((n, e) => n + e.length, 0);
    expect(edges).toBeGreaterThan(files.length);
    expect((graph.get(path.join(root, "index.ts")) ?? []).map(name)).toContain("events.ts");
    expect((graph.get(path.join(root, "actions", "node-action.ts")) ?? []).map(name)).toContain(path.join("job", "step-host.ts"));
  });

  it("has no cycle", () => {
    const cycles = findCycles(graph).map((c) => c.map(name).join(" -> "));
    expect(cycles).toEqual([]);
  });

  it("reaches into the job's wing only through its index, or the StepHost contract actions and built-ins program against", () => {
    const wing = path.join(root, "job") + path.sep;
    const allowed = new Set([path.join(wing, "index.ts"), path.join(wing, "step-host.ts")]);
    const reaching = [...graph].flatMap(([from, to]) =>
      from.startsWith(wing) ? [] : to.filter((t) => t.startsWith(wing) && !allowed.has(t)).map((t) => `${name(from)} -> ${name(t)}`),
    );
    expect(reaching).toEqual([]);
  });
});

describe("findCycles", () => {
  it.each([
    ["no edges", { a: [], b: [] }, []],
    ["a chain", { a: ["b"], b: ["c"], c: [] }, []],
    ["two files", { a: ["b"], b: ["a"] }, [["a", "b", "a"]]],
    ["a file importing itself", { a: ["a"] }, [["a", "a"]]],
    ["a loop of three beside a chain", { a: ["b"], b: ["c", "d"], c: ["a"], d: [] }, [["a", "b", "c", "a"]]],
  ])("%s", (_, edges: Record<string, string[]>, expected) => {
    expect(findCycles(new Map(Object.entries(edges)))).toEqual(expected);
  });
});
