import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { refusal } from "../tests/support/refusal.js";
import { cellDisplayName, describeCell, expandMatrix, parseMatrixSelectors, selectCells } from "./matrix.js";
import type { Value, ValueMap } from "./model.js";


describe("expandMatrix", () => {
  it.each<[string, ValueMap, ValueMap[]]>([
    ["one vector", { node: [18, 20] }, [{ node: 18 }, { node: 20 }]],
    [
      "product in key order, first key slowest",
      { os: ["ubuntu", "windows"], node: [18, 20] },
      [
        { os: "ubuntu", node: 18 },
        { os: "ubuntu", node: 20 },
        { os: "windows", node: 18 },
        { os: "windows", node: 20 },
      ],
    ],
    [
      "values keep their YAML types",
      { v: [1, "1", true, null, { os: "linux", arch: ["x64"] }] },
      [{ v: 1 }, { v: "1" }, { v: true }, { v: null }, { v: { os: "linux", arch: ["x64"] } }],
    ],
    [
      // GitHub docs, "Expanding or adding matrix configurations"
      "docs (and corpus semantics/include-rules): include expands original cells and adds new ones",
      {
        fruit: ["apple", "pear"],
        animal: ["cat", "dog"],
        include: [
          { color: "green" },
          { color: "pink", animal: "cat" },
          { fruit: "apple", shape: "circle" },
          { fruit: "banana" },
          { fruit: "banana", animal: "cat" },
        ],
      },
      [
        { fruit: "apple", animal: "cat", color: "pink", shape: "circle" },
        { fruit: "apple", animal: "dog", color: "green", shape: "circle" },
        { fruit: "pear", animal: "cat", color: "pink" },
        { fruit: "pear", animal: "dog", color: "green" },
        { fruit: "banana" },
        { fruit: "banana", animal: "cat" },
      ],
    ],
    [
      "only include: the entries are the cells",
      { include: [{ os: "linux", target: "x86_64" }, { os: "mac", target: "aarch64" }] },
      [
        { os: "linux", target: "x86_64" },
        { os: "mac", target: "aarch64" },
      ],
    ],
    [
      "include may add back a cell that exclude removed",
      { node: [18, 20], exclude: [{ node: 18 }], include: [{ node: 18, experimental: true }] },
      [{ node: 20 }, { node: 18, experimental: true }],
    ],
    [
      "include compares values with their types: '20' does not extend 20",
      { node: [20], include: [{ node: "20", lts: true }] },
      [{ node: 20 }, { node: "20", lts: true }],
    ],
    [
      "include compares objects deeply",
      { cfg: [{ os: "linux" }, { os: "mac" }], include: [{ cfg: { os: "mac" }, extra: 1 }] },
      [{ cfg: { os: "linux" } }, { cfg: { os: "mac" }, extra: 1 }],
    ],
    [
      "exclude compares values deeply",
      { cfg: [{ os: "linux", v: [1] }, { os: "linux", v: [2] }], exclude: [{ cfg: { v: [1], os: "linux" } }] },
      [{ cfg: { os: "linux", v: [2] } }],
    ],
  ])("%s", (_name, matrix, cells) => {
    expect(expandMatrix(matrix)).toEqual(cells);
  });

  it("docs: exclude removes every cell an entry partially matches (12 - 3 = 9 cells)", () => {
    const cells = expandMatrix({
      os: ["macos-latest", "windows-latest"],
      version: [12, 14, 16],
      environment: ["staging", "production"],
      exclude: [
        { os: "macos-latest", version: 12, environment: "production" },
        { os: "windows-latest", version: 16 },
      ],
    });
    expect(cells).toHaveLength(9);
    expect(cells).not.toContainEqual({ os: "macos-latest", version: 12, environment: "production" });
    expect(cells.filter((c) => c["os"] === "windows-latest" && c["version"] === 16)).toEqual([]);
  });

  it("corpus semantics/exclude-rules: 9 cells, exactly the listed ones", () => {
    const cells = expandMatrix({
      target: ["alpha", "beta"],
      version: [12, 14, 16],
      environment: ["staging", "production"],
      exclude: [
        { target: "alpha", version: 12, environment: "production" },
        { target: "beta", version: 16 },
      ],
    });
    expect(cells).toEqual([
      { target: "alpha", version: 12, environment: "staging" },
      { target: "alpha", version: 14, environment: "staging" },
      { target: "alpha", version: 14, environment: "production" },
      { target: "alpha", version: 16, environment: "staging" },
      { target: "alpha", version: 16, environment: "production" },
      { target: "beta", version: 12, environment: "staging" },
      { target: "beta", version: 12, environment: "production" },
      { target: "beta", version: 14, environment: "staging" },
      { target: "beta", version: 14, environment: "production" },
    ]);
  });

  it("does not change the matrix it is given", () => {
    const matrix: ValueMap = { a: [1, 2], include: [{ a: 1, b: 2 }] };
    const before = structuredClone(matrix);
    expandMatrix(matrix);
    expandMatrix(matrix);
    expect(matrix).toEqual(before);
  });

  it.each<[string, ValueMap, string]>([
    ["a vector that is not a list", { node: 20 }, "matrix vector 'node' must be a list"],
    ["an empty vector", { node: [] }, "matrix vector 'node' does not contain any values"],
    ["no vector and no include", {}, "at least one vector"],
    ["an empty include list alone", { include: [] }, "at least one vector"],
    ["include that is not a list", { a: [1], include: { a: 1 } }, "'include' must be a list"],
    ["an include entry that is not a mapping", { a: [1], include: ["x"] }, "'include' entry must be a mapping"],
    ["an exclude key the matrix lacks", { a: [1, 2], exclude: [{ b: 1 }] }, "exclude key 'b'"],
    ["an empty exclude entry", { a: [1, 2], exclude: [{}] }, "must not be empty"],
    ["every cell excluded", { a: [1], exclude: [{ a: 1 }] }, "every combination"],
  ])("refuses %s", (_name, matrix, message) => {
    const e = refusal(() => expandMatrix(matrix));
    expect(e.message).toContain(message);
    expect(e.exitCode).toBe(2);
    expect(e.hint).toBeTruthy();
  });

  it("without include or exclude, yields the whole product, each cell with every vector key", () => {
    const scalar = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom("a", "b"));
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom("k1", "k2", "k3"), fc.uniqueArray(scalar, { minLength: 1, maxLength: 3 }), { minKeys: 1 }),
        (vectors) => {
          const cells = expandMatrix(vectors);
          const size = Object.values(vectors).reduce((n, v) => n * v.length, 1);
          expect(cells).toHaveLength(size);
          for (const c of cells) expect(Object.keys(c)).toEqual(Object.keys(vectors));
        },
      ),
    );
  });
});

describe("cellDisplayName", () => {
  it.each<[string, ValueMap | null, boolean, string]>([
    ["build", { node: 20 }, false, "build (20)"],
    ["test", { os: "ubuntu-latest", node: 20 }, false, "test (ubuntu-latest, 20)"],
    ["Validate environment", { node: "18" }, false, "Validate environment (18)"],
    ["include-rules", { fruit: "apple", animal: "cat", color: "pink", shape: "circle" }, false, "include-rules (apple, cat, pink, circle)"],
    ["b", { exp: false, n: 1.5 }, false, "b (false, 1.5)"],
    ["b", { cfg: { os: "linux", arch: ["x64", "arm"] }, v: 1 }, false, "b (linux, x64, arm, 1)"],
    ["b", { a: null, b: "", c: "x" }, false, "b (x)"],
    ["build", { node: 20 }, true, "build"],
    ["build", null, false, "build"],
    ["build", {}, false, "build"],
    ["build", { a: null }, false, "build"],
  ])("%s + %j (expression name: %s) → %s", (base, cell, explicit, shown) => {
    expect(cellDisplayName(base, cell, explicit)).toBe(shown);
  });

  it("cuts a name longer than 100 characters to 97 and '...' as GitHub does", () => {
    const shown = cellDisplayName("upload", { target: "x".repeat(120) }, false);
    expect(shown).toHaveLength(100);
    expect(shown).toBe(`upload (${"x".repeat(89)}...`);
  });
});

describe("describeCell", () => {
  it.each<[ValueMap, string]>([
    [{ node: 18 }, "node=18"],
    [{ os: "ubuntu", node: 20 }, "os=ubuntu, node=20"],
    [{ cfg: { a: 1 }, on: true, x: null }, 'cfg={"a":1}, on=true, x='],
  ])("%j → %s", (cell, text) => {
    expect(describeCell(cell)).toBe(text);
  });
});

describe("parseMatrixSelectors", () => {
  it.each<[string[], { key: string; value: string }[]]>([
    [[], []],
    [["node=20"], [{ key: "node", value: "20" }]],
    [["os=ubuntu", "expr=a=b", "empty="], [{ key: "os", value: "ubuntu" }, { key: "expr", value: "a=b" }, { key: "empty", value: "" }]],
  ])("%j", (args, selectors) => {
    expect(parseMatrixSelectors(args)).toEqual(selectors);
  });

  it.each([["node"], ["=20"], [" =20"]])("refuses %j, naming --matrix", (arg) => {
    const e = refusal(() => parseMatrixSelectors([arg]));
    expect(e.message).toContain("--matrix");
    expect(e.exitCode).toBe(2);
  });
});

describe("selectCells", () => {
  const nodes: ValueMap[] = [{ node: 18 }, { node: 20 }];
  const grid: ValueMap[] = [
    { os: "ubuntu", node: 18 },
    { os: "ubuntu", node: 20 },
    { os: "windows", node: 20, experimental: true },
  ];

  it.each<[string, ValueMap[], string[], ValueMap[]]>([
    ["no selector keeps every cell", grid, [], grid],
    ["a number matches its text", nodes, ["node=20"], [{ node: 20 }]],
    ["a string matches", grid, ["os=ubuntu"], grid.slice(0, 2)],
    ["different keys must all match", grid, ["os=ubuntu", "node=20"], [grid[1] as ValueMap]],
    ["the same key twice picks either", grid, ["node=18", "node=20", "os=ubuntu"], grid.slice(0, 2)],
    ["a key only some cells have", grid, ["experimental=true"], [grid[2] as ValueMap]],
  ])("%s", (_name, cells, args, chosen) => {
    expect(selectCells(cells, parseMatrixSelectors(args))).toEqual(chosen);
  });

  it("refuses a value no cell has, naming it and listing the cells (corpus bad-input)", () => {
    const e = refusal(() => selectCells(nodes, parseMatrixSelectors(["node=99"]), "matrixed"));
    expect(e.code).toBe("unknown-matrix");
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain("node=99");
    expect(e.message).toContain("node=18, node=20");
    expect(e.message).toContain("matrixed");
    expect(e.hint).toContain("--matrix node=18");
  });

  it("refuses a key the matrix does not have, listing its keys and cells", () => {
    const e = refusal(() => selectCells(grid, parseMatrixSelectors(["python=3.12"])));
    expect(e.message).toContain("python=3.12");
    expect(e.message).toContain("os, node, experimental");
    expect(e.message).toContain("(os=ubuntu, node=18), (os=ubuntu, node=20)");
  });

  it("refuses a combination that no single cell has", () => {
    const e = refusal(() => selectCells(grid, parseMatrixSelectors(["os=windows", "node=18"])));
    expect(e.message).toContain("os=windows node=18");
  });

  it("compares objects by their JSON text", () => {
    const cells: ValueMap[] = [{ cfg: { os: "linux" } as Value }, { cfg: { os: "mac" } }];
    expect(selectCells(cells, [{ key: "cfg", value: '{"os":"mac"}' }])).toEqual([{ cfg: { os: "mac" } }]);
  });
});
