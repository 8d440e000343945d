import { describe, expect, it } from "vitest";
import { formatLog, hasGroups, lineText } from "./log-lines.js";

describe("a step's log as GitHub's log viewer shows it", () => {
  const log = ["before", "##[group]Run npm test", "npm test", "ok", "##[endgroup]", "##[error]Process completed with exit code 1.", "##[warning]slow", "##[notice]n", "plain"];

  it("folds a group into one line with its name and size, and colours the markers' lines", () => {
    const closed = formatLog(log, false);
    expect(closed.map((l) => [l.kind, lineText(l)])).toEqual([
      ["plain", "before"],
      ["group", "▸ Run npm test  (2 lines)"],
      ["error", "Process completed with exit code 1."],
      ["warning", "slow"],
      ["notice", "n"],
      ["plain", "plain"],
    ]);
  });

  it("opened, shows the group's lines under its name; no ##[endgroup] is drawn", () => {
    expect(formatLog(log, true).map(lineText)).toEqual(["before", "▾ Run npm test", "npm test", "ok", "Process completed with exit code 1.", "slow", "n", "plain"]);
  });

  it("a group still being written, and one group after another (GitHub does not nest them)", () => {
    expect(formatLog(["##[group]a", "1", "##[group]b", "2", "3"], false).map(lineText)).toEqual(["▸ a  (1 line)", "▸ b  (2 lines)"]);
    expect(hasGroups(["x"])).toBe(false);
    expect(hasGroups(["##[group]x"])).toBe(true);
  });
});
