import { describe, expect, it } from "vitest";
import { parseDuration } from "./duration.js";

describe("parseDuration", () => {
  it.each<[string, number]>([
    ["90", 90_000],
    ["90s", 90_000],
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["1.5m", 90_000],
    ["500ms", 500],
    [" 2m ", 120_000],
  ])("%j is %d ms", (text, ms) => {
    expect(parseDuration(text, "--timeout")).toBe(ms);
  });
  it.each(["", "5 minutes", "m5", "0s", "-1m", "5x"])("refuses %j", (text) => {
    expect(() => parseDuration(text, "--timeout")).toThrow(/--timeout/);
  });
});
