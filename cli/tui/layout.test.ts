import { describe, expect, it } from "vitest";
import { layout } from "./layout.js";

describe("the layout fits the terminal", () => {
  it.each([
    [80, 26],
    [60, 20],
    [40, 16],
    [120, 43],
    [200, 56],
  ])("at %i columns the tree takes %i and the log the rest", (columns, tree) => {
    const l = layout({ columns, rows: 24, annotations: 0, summaryLines: 0 });
    expect(l.treeWidth).toBe(tree);
    expect(l.treeWidth + l.logWidth).toBe(Math.max(40, columns));
  });
});
