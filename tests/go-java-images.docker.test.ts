import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./support/corpus.js";
import { stepLog, tempRepo } from "./support/temp-repo.js";

// Go and Java jobs get the go and java images (from Debian), chosen from their steps'
// commands, through the CLI; a Node job keeps the runner image without either.

const WORKFLOW = `on: push
jobs:
  go:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: go vet ./... && go run .
  java:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: |
          javac -d out Hello.java && java -cp out Hello
          mvn -v | head -n 1
          echo "JAVA_HOME_17_X64=$JAVA_HOME_17_X64"
`;

const repo = tempRepo("replay-go-java-", {
  ".github/workflows/ci.yml": WORKFLOW,
  "go.mod": "module example.com/hello\n\ngo 1.24\n",
  "main.go": 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello from go") }\n',
  "Hello.java": 'public class Hello { public static void main(String[] a) { System.out.println("hello from java " + System.getProperty("java.specification.version")); } }\n',
});
afterAll(() => repo.dispose());


describe("the go and java images", () => {
  it.each([
    ["go", "replay-go:", "hello from go"],
    ["java", "replay-java:", "hello from java 17"],
  ])("a job running %s commands runs in its image", async (job, image, line) => {
    const run = await runCli(["job", job, "--json"], repo.dir);
    const log = stepLog(run.events);
    const completed = run.events.find((e) => e["type"] === "job.completed");
    expect(completed?.["result"], log.slice(-3000) + run.stderr.slice(-2000)).toBe("success");
    expect(String(run.events.find((e) => e["type"] === "job.started")?.["image"])).toContain(image);
    expect(log).toContain(line);
    if (job === "java") {
      expect(log).toMatch(/Apache Maven 3\./);
      expect(log).toContain("JAVA_HOME_17_X64=/usr/lib/jvm/java-17-openjdk-amd64");
    }
  });
});
