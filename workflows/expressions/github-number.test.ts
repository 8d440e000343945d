import { describe, expect, it } from "vitest";
import { formatGitHubNumber, parseGitHubNumber } from "./github-number.js";

describe("formatGitHubNumber (.NET G15)", () => {
  it.each<[number, string]>([
    [0, "0"],
    [-0, "-0"],
    [1, "1"],
    [1.5, "1.5"],
    [-9.2, "-9.2"],
    [16, "16"],
    [100, "100"],
    [0.1 + 0.2, "0.3"],
    [1 / 3, "0.333333333333333"],
    [-0.0299, "-0.0299"],
    [0.0001, "0.0001"],
    [0.00001, "1E-05"],
    [1.5e-10, "1.5E-10"],
    [123456789012345, "123456789012345"],
    [999999999999999, "999999999999999"],
    [1e15, "1E+15"],
    [1e21, "1E+21"],
    [-1e21, "-1E+21"],
    [1.2345678901234568e17, "1.23456789012346E+17"],
    [2 ** 53, "9.00719925474099E+15"],
    [1.7976931348623157e308, "1.79769313486232E+308"],
    [5e-324, "4.94065645841247E-324"],
    [NaN, "NaN"],
    [Infinity, "Infinity"],
    [-Infinity, "-Infinity"],
  ])("%s prints as %s", (n, expected) => {
    expect(formatGitHubNumber(n)).toBe(expected);
  });
});

describe("parseGitHubNumber (ExpressionUtility.ParseNumber)", () => {
  it.each<[string, number]>([
    ["", 0],
    ["   ", 0],
    ["12", 12],
    [" 12 ", 12],
    ["+12", 12],
    ["-1.5", -1.5],
    [".5", 0.5],
    ["5.", 5],
    ["1e3", 1000],
    ["1E-2", 0.01],
    ["1e400", Infinity],
    ["0x10", 16],
    ["0xff", 255],
    ["0x7fffffff", 2147483647],
    // Int32: past 0x7fffffff the runner's hex parse wraps
    ["0xffffffff", -1],
    ["0x80000000", -2147483648],
    ["0o17", 15],
    ["Infinity", Infinity],
    ["-Infinity", -Infinity],
  ])("%j reads as %s", (text, expected) => {
    expect(parseGitHubNumber(text)).toBe(expected);
  });

  it.each(["abc", "0X10", "0b11", "0x", "0x100000000", "1,000", "1_000", "--1", "1e", "-0x10", "NaN", "0o8"])(
    "%j is not a number",
    (text) => {
      expect(parseGitHubNumber(text)).toBeNaN();
    },
  );
});
