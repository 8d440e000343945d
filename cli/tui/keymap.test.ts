import { describe, expect, it } from "vitest";
import { availableKeys, fitKeys } from "./keymap.js";
import type { KeyContext } from "./keymap.js";
import { point } from "./testing/fixtures.js";

const base: KeyContext = {
  pause: undefined,
  typingSearch: false,
  searchOpen: false,
  stepSelected: false,
  jobSelected: false,
  stepping: false,
  canScroll: false,
  severalActive: false,
  running: true,
  quitting: false,
};

const keysOf = (c: Partial<KeyContext>): string[] => availableKeys({ ...base, ...c }).map((k) => k.keys);

describe("the keys the footer lists", () => {
  it.each<{ label: string; context: Partial<KeyContext>; keys: string[] }>([
    { label: "watching, nothing selected", context: {}, keys: ["↑↓", "/", "q", "?"] },
    { label: "a running step selected", context: { jobSelected: true, stepSelected: true, canScroll: true }, keys: ["↑↓", "pgup/pgdn/home/end", "/", "s", "b", "q", "?"] },
    { label: "several cells running", context: { severalActive: true }, keys: ["↑↓", "tab", "/", "q", "?"] },
    {
      label: "paused before a step",
      context: { pause: { id: 1, kind: "before", reason: "stepping", point: point("t", 0, "x") }, jobSelected: true },
      keys: ["n", "c", "k", "!", "↑↓", "/", "s", "q", "?"],
    },
    {
      label: "paused after a failure: retry, no skip",
      context: { pause: { id: 1, kind: "failure", reason: "failure", point: point("t", 0, "x") } },
      keys: ["r", "n", "c", "!", "↑↓", "/", "q", "?"],
    },
    { label: "typing a search", context: { typingSearch: true, jobSelected: true }, keys: ["enter", "esc"] },
    { label: "a search open", context: { searchOpen: true }, keys: ["↑↓", "/", "N/P", "esc", "q", "?"] },
    { label: "the replay over: no stepping keys", context: { running: false, jobSelected: true, stepSelected: true }, keys: ["↑↓", "/", "q/enter", "?"] },
    { label: "a log with groups", context: { hasGroups: true }, keys: ["↑↓", "/", "z", "q", "?"] },
    { label: "quitting", context: { quitting: true, pause: { id: 1, kind: "before", reason: "stepping", point: point("t", 0, "x") } }, keys: ["ctrl-c"] },
  ])("$label", ({ context, keys }) => {
    expect(keysOf(context)).toEqual(keys);
  });

  it("says whether s starts or stops stepping", () => {
    const label = (stepping: boolean): string | undefined => availableKeys({ ...base, jobSelected: true, stepping }).find((k) => k.keys === "s")?.label;
    expect(label(false)).toBe("step");
    expect(label(true)).toBe("stop stepping");
  });

  it("at 80 columns and less, drops the least important hints first and keeps q and ?", () => {
    const paused = availableKeys({ ...base, pause: { id: 1, kind: "failure", reason: "failure", point: point("t", 0, "x") }, canScroll: true, severalActive: true, searchOpen: true, jobSelected: true, stepSelected: true });
    const at = (width: number): string[] => fitKeys(paused, width).map((k) => k.keys);
    expect(at(400)).toEqual(paused.map((k) => k.keys));
    const narrow = at(80);
    expect(narrow.slice(0, 4)).toEqual(["r", "n", "c", "!"]);
    expect(narrow.slice(-2)).toEqual(["q", "?"]);
    expect(narrow).not.toContain("b");
    const text = fitKeys(paused, 80).map((k, i) => `${i ? " · " : ""}${k.keys} ${k.label}`).join("");
    expect(text.length).toBeLessThanOrEqual(80);
    expect(at(10)).toEqual(["q", "?"]);
  });
});
