import { describe, expect, it } from "vitest";
import { parseEnvFile, parsePathFile } from "./env-file.js";

describe("parseEnvFile", () => {
  it.each<[string, string, [string, string][]]>([
    ["name=value lines", "A=1\nB=two\n", [["A", "1"], ["B", "two"]]],
    ["a value keeps every = after the first", "URL=https://x.test/?a=1&b=2\n", [["URL", "https://x.test/?a=1&b=2"]]],
    ["an empty value", "EMPTY=\n", [["EMPTY", ""]]],
    ["empty lines are skipped", "\nA=1\n\n\nB=2", [["A", "1"], ["B", "2"]]],
    ["CRLF line ends are not part of the value", "A=1\r\nB=2\r\n", [["A", "1"], ["B", "2"]]],
    ["a heredoc joins its lines with \\n", "TEXT<<EOF\nline 1\nline 2\nEOF\n", [["TEXT", "line 1\nline 2"]]],
    ["a heredoc keeps its empty lines", "TEXT<<EOF\n\nmiddle\n\nEOF\n", [["TEXT", "\nmiddle\n"]]],
    ["an empty heredoc", "TEXT<<EOF\nEOF\n", [["TEXT", ""]]],
    ["a heredoc with CRLF", "TEXT<<EOF\r\na\r\nb\r\nEOF\r\n", [["TEXT", "a\nb"]]],
    [
      "a heredoc body may hold = and << lines; only the exact delimiter ends it",
      "JSON<<ghadelimiter_1\nA=1\nB<<C\n ghadelimiter_1\nghadelimiter_1 \nghadelimiter_1\nAFTER=x\n",
      [["JSON", "A=1\nB<<C\n ghadelimiter_1\nghadelimiter_1 "], ["AFTER", "x"]],
    ],
    ["= before << is a plain value", "A=b<<c\n", [["A", "b<<c"]]],
    ["<< before = is a heredoc whose delimiter holds the =", "A<<E=F\nv\nE=F\n", [["A", "v"]]],
    ["a name given twice keeps both, in order: the later wins when applied", "A=1\nA=2\n", [["A", "1"], ["A", "2"]]],
    ["an empty file", "", []],
  ])("%s", (_name, text, values) => {
    expect(parseEnvFile(text)).toEqual({ values });
  });

  it.each<[string, string, RegExp]>([
    ["a heredoc without its closing delimiter", "A=1\nTEXT<<EOF\nline\n", /delimiter 'EOF' not found/],
    ["a delimiter line with trailing spaces does not close it", "TEXT<<EOF\nline\nEOF  \n", /delimiter 'EOF' not found/],
    ["a line with neither = nor <<", "A=1\njust words\n", /invalid line 2/],
    ["a heredoc without a name", "<<EOF\nx\nEOF\n", /invalid line 1/],
    ["a heredoc whose name would hold the =", "<<A=b\n", /invalid line 1/],
    ["a heredoc without a delimiter", "TEXT<<\nx\n", /invalid line 1/],
    ["a value without a name", "=value\n", /invalid line 1/],
  ])("refuses %s", (_name, text, error) => {
    expect(parseEnvFile(text).error).toMatch(error);
  });

  it("keeps the values read before the line it refuses", () => {
    expect(parseEnvFile("A=1\nbroken\nB=2\n")).toEqual({ values: [["A", "1"]], error: expect.stringMatching(/invalid line 2/) });
  });
});

describe("parsePathFile", () => {
  it.each<[string, string, string[]]>([
    ["one directory a line, in order", "/opt/a/bin\n/opt/b/bin\n", ["/opt/a/bin", "/opt/b/bin"]],
    ["empty lines skipped", "\n/opt/a\n\n", ["/opt/a"]],
    ["CRLF", "/opt/a\r\n/opt/b\r\n", ["/opt/a", "/opt/b"]],
    ["a directory with spaces", "/opt/my tools/bin\n", ["/opt/my tools/bin"]],
    ["an empty file", "", []],
  ])("%s", (_name, text, dirs) => {
    expect(parsePathFile(text)).toEqual(dirs);
  });
});
