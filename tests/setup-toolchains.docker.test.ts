import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./support/corpus.js";
import { tempRepo } from "./support/temp-repo.js";

// The built-in actions/setup-go, setup-java and setup-python through the CLI, on replay's
// go, java and runner images: each takes the image's toolchain when it is the version
// asked (from an input or a version file), says which it chose, sets the originals'
// outputs and environment, and fails the step, naming both versions, when it is not.

const WORKFLOW = `on: push
jobs:
  go:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-go@v5
        id: go
        with:
          go-version-file: go.mod
          cache-dependency-path: go.mod
      - run: |
          echo "go-version output=\${{ steps.go.outputs.go-version }}"
          echo "gopath-bin on PATH=$(echo "$PATH" | tr : '\\n' | grep -c "$(go env GOPATH)/bin")"
          go test ./...
  go-old:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-go@v5
        with:
          go-version: '1.21'
      - run: echo "never here"
  java:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-java@v4
        id: java
        with:
          distribution: temurin
          java-version: '17'
      - run: |
          echo "JAVA_HOME=$JAVA_HOME JAVA_HOME_17_X64=$JAVA_HOME_17_X64"
          echo "outputs=\${{ steps.java.outputs.distribution }} \${{ steps.java.outputs.version }} \${{ steps.java.outputs.path }}"
          javac -d out Hello.java && java -cp out Hello
  java-21:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-java@v4
        with:
          distribution: temurin
          java-version: '21'
  python:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        id: py
        with:
          python-version-file: .python-version
          bogus-input: x
      - run: |
          echo "outputs=\${{ steps.py.outputs.python-version }} \${{ steps.py.outputs.python-path }}"
          echo "pythonLocation=$pythonLocation which=$(command -v python) pip=$(pip --version | cut -d' ' -f1-2)"
          python -m unittest -v test_add
  python-312:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: '3.12'
`;

const repo = tempRepo("replay-setup-toolchains-", {
  ".github/workflows/ci.yml": WORKFLOW,
  "go.mod": "module example.com/adder\n\ngo 1.24\n",
  "add.go": "package adder\n\nfunc Add(a, b int) int { return a + b }\n",
  "add_test.go": 'package adder\n\nimport "testing"\n\nfunc TestAdd(t *testing.T) {\n\tif Add(2, 3) != 5 {\n\t\tt.Fatal("2+3")\n\t}\n}\n',
  "Hello.java": 'public class Hello { public static void main(String[] a) { System.out.println("hello from java " + System.getProperty("java.specification.version")); } }\n',
  ".python-version": "3.11\n",
  "test_add.py": "import unittest\n\nclass T(unittest.TestCase):\n    def test_add(self):\n        self.assertEqual(2 + 3, 5)\n",
});
afterAll(() => repo.dispose());

type Event = Record<string, unknown>;
const jobLog = (events: Event[], jobKey: string): string => events.filter((e) => e["type"] === "step.output" && e["jobKey"] === jobKey).map((e) => String(e["line"])).join("\n");
const result = (events: Event[], jobKey: string): unknown => events.find((e) => e["type"] === "job.completed" && e["jobKey"] === jobKey)?.["result"];
const image = (events: Event[], jobKey: string): string => String(events.find((e) => e["type"] === "job.started" && e["jobKey"] === jobKey)?.["image"]);

describe("built-in setup-go, setup-java and setup-python", () => {
  let events: Event[] = [];
  let stderr = "";
  it("runs the workflow", async () => {
    const run = await runCli(["run", "--json", "--parallel", "2"], repo.dir);
    events = run.events;
    stderr = run.stderr;
    expect(run.exitCode).toBe(1);
  }, 600_000);

  it("setup-go takes the go image's Go for go.mod's go 1.24, sets go-version and GOPATH/bin, and go test passes", () => {
    const log = jobLog(events, "go");
    expect(result(events, "go"), log + stderr.slice(-2000)).toBe("success");
    expect(image(events, "go")).toContain("replay-go:");
    expect(log).toContain("Go 1.24 (go.mod's go directive): the job's image has 1.24.4, which satisfies it");
    expect(log).toContain("go-version output=1.24.4");
    expect(log).toContain("gopath-bin on PATH=1");
    expect(log).toMatch(/^ok\s+example\.com\/adder/m);
    expect(log).toContain("Cache saved with the key: setup-go-Linux-x64-ubuntu24-go-1.24.4-");
  });

  it("setup-go fails the step for a Go the image lacks, naming both versions", () => {
    const log = jobLog(events, "go-old");
    expect(result(events, "go-old")).toBe("failure");
    expect(log).toMatch(/##\[error\]Go 1\.21 was asked for, but the job's image replay-go:\S+ has 1\.24\.4/);
    expect(log).not.toContain("never here");
  });

  it("setup-java sets JAVA_HOME, JAVA_HOME_17_X64 and its outputs from the java image's JDK 17", () => {
    const log = jobLog(events, "java");
    expect(result(events, "java"), log).toBe("success");
    expect(log).toContain("JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 JAVA_HOME_17_X64=/usr/lib/jvm/java-17-openjdk-amd64");
    expect(log).toMatch(/outputs=temurin 17\.0\.\d+\S* \/usr\/lib\/jvm\/java-17-openjdk-amd64/);
    expect(log).toContain("temurin was asked for: the image's JDK is Debian's OpenJDK build");
    expect(log).toContain("hello from java 17");
    expect(jobLog(events, "java-21")).toMatch(/##\[error\]Java 21 was asked for, but the job's image replay-java:\S+ has 17\.0\./);
    expect(result(events, "java-21")).toBe("failure");
  });

  it("setup-python gives .python-version's 3.11 from the tool cache with pip, warns about an unknown input, and refuses 3.12", () => {
    const log = jobLog(events, "python");
    expect(result(events, "python"), log).toBe("success");
    expect(log).toMatch(/Python 3\.11: the job's image has 3\.11\.\d+, which satisfies it/);
    expect(log).toMatch(/outputs=3\.11\.\d+ \/opt\/hostedtoolcache\/Python\/3\.11\.\d+\/x64\/bin\/python/);
    expect(log).toMatch(/pythonLocation=\/opt\/hostedtoolcache\/Python\/3\.11\.\d+\/x64 which=\/opt\/hostedtoolcache\/Python\/3\.11\.\d+\/x64\/bin\/python pip=pip \d+/);
    expect(log).toContain("test_add (test_add.T.test_add) ... ok");
    const annotations = events.filter((e) => e["type"] === "step.annotation" && e["jobKey"] === "python").map((e) => String(e["message"]));
    expect(annotations.some((m) => m.includes("Unexpected input(s) 'bogus-input'"))).toBe(true);
    expect(jobLog(events, "python-312")).toMatch(/##\[error\]Python 3\.12 was asked for, but the job's image \S+ has 3\.11\.\d+/);
    expect(result(events, "python-312")).toBe("failure");
  });
});
