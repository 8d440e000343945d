import { describe, expect, it } from "vitest";
import { lineText, parseInline, renderMarkdown } from "./markdown.js";

const text = (md: string, width = 60): string[] => renderMarkdown(md, width).map(lineText);

describe("renderMarkdown", () => {
  it.each<{ label: string; md: string; lines: string[]; width?: number }>([
    { label: "headings lose their #", md: "# Test results\n## Coverage ##", lines: ["Test results", "Coverage"] },
    { label: "lists get bullets, nested ones an indent", md: "- one\n  - inner\n* two\n3. three", lines: ["• one", "  • inner", "• two", "3. three"] },
    { label: "task lists get boxes", md: "- [x] lint\n- [ ] deploy", lines: ["☑ lint", "☐ deploy"] },
    { label: "code blocks are indented and kept as they are", md: "```sh\nnpm  test **x**\n```", lines: ["  npm  test **x**"] },
    { label: "quotes get a bar", md: "> careful", lines: ["│ careful"] },
    { label: "a rule spans the width", md: "---", lines: ["─".repeat(20)] },
    { label: "runs of blank lines become one", md: "a\n\n\n\nb\n\n", lines: ["a", "", "b"] },
    { label: "links show their address", md: "see [the run](https://x/1) now", lines: ["see the run (https://x/1) now"], width: 40 },
    { label: "summary HTML tags go", md: "<details><summary>More</summary>\nhidden</details>", lines: ["More", "hidden"] },
  ])("$label", ({ md, lines, width }) => {
    expect(text(md, width ?? 20)).toEqual(lines);
  });

  it("aligns tables, with the header apart", () => {
    expect(text("| Suite | Passed |\n|---|---:|\n| unit | 120 |\n| e2e | 8 |")).toEqual([
      "Suite │ Passed",
      "──────┼───────",
      "unit  │ 120   ",
      "e2e   │ 8     ",
    ]);
  });

  it("wraps long paragraphs at spaces within the width, list items under their text", () => {
    expect(text("- alpha beta gamma delta epsilon", 14)).toEqual(["• alpha beta", "  gamma delta", "  epsilon"]);
    for (const l of text("word ".repeat(50), 23)) expect(l.length).toBeLessThanOrEqual(23);
  });

  it("styles emphasis and code, and leaves snake_case alone", () => {
    expect(parseInline("**bold** and *it* and `a_b` and snake_case_name")).toEqual([
      { text: "bold", bold: true },
      { text: " and " },
      { text: "it", italic: true },
      { text: " and " },
      { text: "a_b", code: true },
      { text: " and snake_case_name" },
    ]);
    const heading = renderMarkdown("# Title", 20)[0];
    expect(heading).toEqual([{ text: "Title", bold: true, underline: true }]);
  });
});
