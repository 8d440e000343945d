import { describe, expect, it } from "vitest";
import { initialViewState, logWindowStart, reduceView, searchMatches } from "./view-state.js";
import type { ViewAction, ViewState } from "./view-state.js";

const run = (actions: ViewAction[], from: ViewState = initialViewState): ViewState => actions.reduce(reduceView, from);

describe("the log window", () => {
  it.each<{ label: string; actions: ViewAction[]; start: number; follow: boolean }>([
    { label: "follows the tail at first", actions: [], start: 90, follow: true },
    { label: "page up stops following", actions: [{ type: "scroll", by: -9, total: 100, height: 10 }], start: 81, follow: false },
    {
      label: "scrolling back down to the end follows again",
      actions: [
        { type: "scroll", by: -9, total: 100, height: 10 },
        { type: "scroll", by: 50, total: 100, height: 10 },
      ],
      start: 90,
      follow: true,
    },
    { label: "home goes to the first line", actions: [{ type: "scrollTo", where: "top", total: 100, height: 10 }], start: 0, follow: false },
    { label: "scrolling above the top stops there", actions: [{ type: "scrollTo", where: "top", total: 100, height: 10 }, { type: "scroll", by: -5, total: 100, height: 10 }], start: 0, follow: false },
    {
      label: "selecting another step starts following again",
      actions: [
        { type: "scrollTo", where: "top", total: 100, height: 10 },
        { type: "select", selection: { jobKey: "b", step: 1 } },
      ],
      start: 90,
      follow: true,
    },
  ])("$label", ({ actions, start, follow }) => {
    const v = run(actions);
    expect(logWindowStart(v, 100, 10)).toBe(start);
    expect(v.follow).toBe(follow);
  });

  it("a short log starts at its first line", () => {
    expect(logWindowStart(initialViewState, 3, 10)).toBe(0);
  });
});

describe("search", () => {
  const lines = ["npm test", "PASS a", "FAIL b", "pass c", "FAIL d"];

  it("finds lines case-insensitively", () => {
    expect(searchMatches(lines, "fail")).toEqual([2, 4]);
    expect(searchMatches(lines, "")).toEqual([]);
  });

  it("types a query, jumps from match to match (wrapping), and closes", () => {
    const typed = run([{ type: "searchStart" }, { type: "searchType", text: "FA" }, { type: "searchType", text: "x" }, { type: "searchBackspace" }, { type: "searchType", text: "IL" }]);
    expect(typed.search).toEqual({ query: "FAIL", editing: true, line: -1 });
    const matches = searchMatches(lines, "FAIL");
    const first = run([{ type: "searchEnd" }, { type: "searchJump", direction: 1, matches, height: 2 }], typed);
    expect(first.search).toEqual({ query: "FAIL", editing: false, line: 2 });
    expect(first.follow).toBe(false);
    expect(logWindowStart(first, lines.length, 2)).toBe(1);
    const second = reduceView(first, { type: "searchJump", direction: 1, matches, height: 2 });
    expect(second.search?.line).toBe(4);
    expect(reduceView(second, { type: "searchJump", direction: 1, matches, height: 2 }).search?.line).toBe(2);
    expect(reduceView(first, { type: "searchJump", direction: -1, matches, height: 2 }).search?.line).toBe(4);
    expect(reduceView(second, { type: "searchClear" }).search).toBeUndefined();
  });

  it("a pause already shown does not take the selection again", () => {
    const shown = run([{ type: "pause", id: 3, selection: { jobKey: "a", step: 2 } }]);
    expect(shown.selection).toEqual({ jobKey: "a", step: 2 });
    const moved = run([{ type: "select", selection: { jobKey: "b" } }, { type: "pause", id: 3, selection: { jobKey: "a", step: 2 } }], shown);
    expect(moved.selection).toEqual({ jobKey: "b" });
    expect(reduceView(moved, { type: "pause", id: 4, selection: { jobKey: "a", step: 3 } }).selection).toEqual({ jobKey: "a", step: 3 });
  });
});
