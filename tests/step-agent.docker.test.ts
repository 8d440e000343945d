import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./support/corpus.js";
import type { CliRun } from "./support/corpus.js";
import { workflowRepo } from "./support/git-repo.js";

const disposals: (() => void)[] = [];
afterAll(() => {
  for (const dispose of disposals) dispose();
});

// The first step waits until the agent is up (it connects while node starts in the
// container; until then steps go through docker exec), so every later step is a fair
// comparison between the two ways of starting a process.
const PROBE = `on: push
jobs:
  probe:
    runs-on: ubuntu-latest
    steps:
      - name: Wait for the agent
        if: vars.AGENT == '1'
        run: for i in $(seq 100); do pgrep -x replay-agent >/dev/null && break; sleep 0.05; done; sleep 0.3
      - name: Parent
        run: echo "parent=$(cat /proc/$PPID/comm) native=$(tr '\\0' ' ' < /proc/$PPID/cmdline 2>/dev/null | grep -q step-agent.sock && echo yes || echo no)"
      - name: Identity
        run: |
          echo "home=$HOME user=$(id -un) uid=$(id -u) groups=$(id -G) pwd=$PWD umask=$(umask)"
          grep -E '^(CapEff|CapPrm|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status | tr -s '\\t\\n' '  '; echo
          echo "stdin=$(readlink /proc/self/fd/0 | sed 's/:.*//')"
      - name: Environment
        env:
          STEP_VAR: "a b\\nc"
          WITH-DASH: kept
        run: |
          env | cut -d= -f1 | grep -v -x -e HOSTNAME -e REPLAY_STEP_ID | sort | tr '\\n' ' '; echo
          printf '%s|' "$PATH" "$STEP_VAR" "$(printenv WITH-DASH)"; echo
          echo "ca=\${NODE_EXTRA_CA_CERTS-unset}"
      - name: Streams
        run: |
          echo to-out; echo to-err >&2; echo "::warning::from a command"
          (sleep 1; echo late) &
      - name: Root
        run: sudo -n true && echo "sudo ok"
      - name: Python
        shell: python3 {0}
        run: |
          import os, sys
          print("python", os.getcwd(), sys.stdin.read() == "")
      - name: GitHub's python shell
        shell: python
        run: |
          import sys
          print("python shell", sys.version_info[0])
      - name: Exit three
        continue-on-error: true
        run: exit 3
      - name: Signalled
        continue-on-error: true
        run: kill -TERM $$
      - name: Missing directory
        continue-on-error: true
        working-directory: no-such-dir
        run: echo never
      - name: Missing program
        continue-on-error: true
        shell: no-such-shell {0}
        run: echo never
`;

interface StepSeen {
  result: unknown;
  outcome: unknown;
  lines: string[];
}

function stepsOf(r: CliRun): Record<string, StepSeen> {
  const steps: Record<string, StepSeen> = {};
  const names = new Map<unknown, string>();
  for (const e of r.events) {
    if (e["type"] === "step.started") names.set(e["step"], String(e["name"]));
    const name = names.get(e["step"]);
    if (name === undefined) continue;
    const s = (steps[name] ??= { result: undefined, outcome: undefined, lines: [] });
    if (e["type"] === "step.output") s.lines.push(String(e["line"]));
    if (e["type"] === "step.annotation") s.lines.push(`annotation ${String(e["level"])} ${String(e["message"])}`);
    if (e["type"] === "step.completed") {
      s.result = e["result"];
      s.outcome = e["outcome"];
    }
  }
  return steps;
}

describe("the step agent", () => {
  it("starts each step as docker exec would: same user, groups, capabilities, env, cwd, streams, exit codes and errors", async () => {
    const repo = workflowRepo("agent", PROBE);
    disposals.push(repo.dispose);
    // The native agent (replay's build makes it), the script under the image's node, exec.
    const [withAgent, withNodeAgent, withExec] = await Promise.all([
      runCli(["job", "probe", "--json", "--var", "AGENT=1"], repo.dir),
      runCli(["job", "probe", "--json", "--var", "AGENT=1"], repo.dir, { REPLAY_STEP_AGENT: "node" }),
      runCli(["job", "probe", "--json", "--var", "AGENT=0"], repo.dir, { REPLAY_STEP_AGENT: "0" }),
    ]);
    expect(withAgent.stderr).toBe("");
    expect(withNodeAgent.stderr).toBe("");
    const agent = stepsOf(withAgent);
    const nodeAgent = stepsOf(withNodeAgent);
    const exec = stepsOf(withExec);
    // Proof of which path ran: the agent is the parent of an agent-started step; the native
    // one has its arguments, the script under node took the name.
    expect(agent["Parent"]?.lines).toEqual(["parent=replay-agent native=yes"]);
    expect(nodeAgent["Parent"]?.lines).toEqual(["parent=replay-agent native=no"]);
    expect(exec["Parent"]?.lines[0]).not.toMatch(/^parent=replay-agent/);
    for (const steps of [agent, nodeAgent, exec]) {
      delete steps["Parent"];
      delete steps["Wait for the agent"];
      // stdout and stderr are two pipes either way: their relative order is a race.
      steps["Streams"]?.lines.sort();
    }
    expect(agent).toEqual(exec);
    expect(nodeAgent).toEqual(exec);
    // And the probes saw what a step on GitHub sees.
    expect(agent["Identity"]?.lines[0]).toBe("home=/home/runner user=runner uid=1001 groups=1001 pwd=/home/runner/work/agent/agent umask=0022");
    expect(agent["Streams"]?.lines).toEqual(expect.arrayContaining(["to-out", "to-err", "late"]));
    // The agent itself starts without it (it costs Node 20 ~90 ms); the steps have the image's.
    expect(agent["Environment"]?.lines).toContain("ca=/etc/ssl/certs/ca-certificates.crt");
    expect(agent["GitHub's python shell"]).toMatchObject({ outcome: "success", lines: ["python shell 3"] });
    expect(agent["Exit three"]?.lines).toContain("##[error]Process completed with exit code 3.");
    expect(agent["Signalled"]?.lines).toContain("##[error]Process completed with exit code 143.");
    expect(agent["Missing directory"]?.outcome).toBe("failure");
    expect(agent["Missing program"]?.outcome).toBe("failure");
    expect(withAgent.exitCode).toBe(withExec.exitCode);
  });

  it("a step that kills the agent fails with a clear line, and the job goes on through docker exec", async () => {
    const repo = workflowRepo(
      "agent-killed",
      `on: push
jobs:
  k:
    runs-on: ubuntu-latest
    steps:
      - run: for i in $(seq 100); do pgrep -x replay-agent >/dev/null && break; sleep 0.05; done; sleep 0.3
      - name: Kill it
        continue-on-error: true
        run: sudo pkill -KILL -x replay-agent; sleep 1; echo after
      - name: Later
        run: echo "later parent=$(cat /proc/$PPID/comm)"
`,
    );
    disposals.push(repo.dispose);
    const r = await runCli(["job", "k", "--json"], repo.dir);
    const steps = stepsOf(r);
    expect(steps["Kill it"]?.outcome).toBe("failure");
    expect(steps["Kill it"]?.lines.join("\n")).toContain("the step agent in the job container stopped");
    expect(steps["Later"]?.result).toBe("success");
    // Through docker exec a step's parent is outside the container's PID namespace.
    expect(steps["Later"]?.lines).toContain("later parent=");
    expect(r.exitCode).toBe(0);
  });
});
