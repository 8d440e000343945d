import { describe, expect, it } from "vitest";
import { compareEntry, countItems, parseEntry, sameLine, versionOf } from "./parity-compare.js";

describe("parseEntry", () => {
  it.each([
    ["Tools", "Bash 5.2.21(1)-release", "Bash", ["5.2.21"]],
    ["Language and Runtime", "Clang: 16.0.6, 17.0.6, 18.1.3", "Clang", ["16.0.6", "17.0.6", "18.1.3"]],
    ["Language and Runtime", "GNU C++: 12.4.0, 13.3.0, 14.2.0", "GNU C++", ["12.4.0", "13.3.0", "14.2.0"]],
    ["Installed apt packages", "bison 2:3.8.2+dfsg-1build2", "bison", ["3.8.2"]],
    ["Installed apt packages", "parallel 20231122+ds-1", "parallel", ["20231122"]],
    ["Tools", "AzCopy 10.32.7 - available by `azcopy` and `azcopy10` aliases", "AzCopy", ["10.32.7"]],
    ["Tools", "Docker Amazon ECR Credential Helper 0.12.0", "Docker Amazon ECR Credential Helper", ["0.12.0"]],
    ["Package Management", "Vcpkg (build from commit 94a5411977)", "Vcpkg", []],
    ["CLI Tools", "Azure CLI (azure-devops) 1.0.6", "Azure CLI (azure-devops)", ["1.0.6"]],
    ["Environment variables", "ANDROID_NDK /usr/local/lib/android/sdk/ndk/27.3.13750724", "ANDROID_NDK", []],
    ["Java", "17.0.20+8 (default) JAVA_HOME_17_X64", "JAVA_HOME_17_X64", ["17.0.20"]],
    ["Node.js", "22.23.2", "22.23.2", ["22.23.2"]],
    ["PyPy", "3.9.19 [PyPy 7.3.16]", "3.9.19", ["3.9.19"]],
    ["Android", "CMake 3.31.5<br>4.1.2", "CMake", ["3.31.5", "4.1.2"]],
  ])("%s: %s is %s at %j", (section, text, name, versions) => {
    expect(parseEntry(section, text)).toEqual({ section, name, text, versions });
  });
});

describe("versionOf and sameLine", () => {
  it.each([
    ["v20.1.0", "20.1.0"],
    ["1:9.6p1-3ubuntu13.18", "9.6"],
    ["2026c-0ubuntu0.24.04.1", "2026"],
    ["release", undefined],
  ])("versionOf(%s) is %s", (text, v) => expect(versionOf(text)).toBe(v));

  it.each([
    ["22.23.5", "22.23.2", 1, true],
    ["20.20.2", "22.23.2", 1, false],
    ["3.11.2", "3.12.3", 1, true],
    ["3.11.2", "3.12.3", 2, false],
    ["3.12.1", "3.12.3", 2, true],
    ["0.13.1", "0.36.1", 1, false],
    ["0.9.0", "0.9.0", 1, true],
    ["1.24.4", "1.24.13", 2, true],
  ])("sameLine(%s, %s, %d) is %s", (a, b, parts, same) => expect(sameLine(a, b, parts)).toBe(same));
});

describe("compareEntry", () => {
  const clang = parseEntry("Language and Runtime", "Clang: 16.0.6, 17.0.6, 18.1.3");
  const gxx = parseEntry("Language and Runtime", "GNU C++: 12.4.0, 13.3.0, 14.2.0");
  const env = parseEntry("Environment variables", "CONDA /usr/share/miniconda");

  it("is the same when any version found is on a line the reference lists", () => {
    expect(compareEntry(gxx, { found: ["12.2.0"], parts: 1 })).toMatchObject({ status: "same", found: ["12.2.0"] });
  });

  it("is another version when the tool is there on no listed line", () => {
    expect(compareEntry(clang, { found: ["14.0.6"], parts: 1 })).toMatchObject({ status: "other", found: ["14.0.6"], referenceVersions: ["16.0.6", "17.0.6", "18.1.3"] });
  });

  it("is missing, with the rule's reason, when the probe found nothing", () => {
    const reason = { category: "not-obtainable" as const, note: "repo.anaconda.com is not reachable here" };
    expect(compareEntry(env, { found: undefined, parts: 1, reason })).toEqual({
      name: "CONDA",
      reference: "CONDA /usr/share/miniconda",
      referenceVersions: [],
      status: "missing",
      found: [],
      reason,
    });
  });

  it("says so when a missing entry has no reason recorded", () => {
    expect(compareEntry(clang, { found: undefined, parts: 1 }).reason).toEqual({ category: "not-installed", note: "no reason recorded in images/parity.yml" });
  });

  it("counts by status", () => {
    const items = [compareEntry(gxx, { found: ["12.2.0"], parts: 1 }), compareEntry(clang, { found: ["14.0.6"], parts: 1 }), compareEntry(env, { found: undefined, parts: 1 })];
    expect(countItems(items)).toEqual({ same: 1, other: 1, missing: 1 });
  });
});
