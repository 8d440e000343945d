import { describe, expect, it } from "vitest";
import type { Value } from "../model.js";
import type { EvalOptions } from "./eval-options.js";
import { evaluate, evaluateTemplate, interpolate } from "./evaluate.js";
import { ExpressionEvaluationError, ExpressionSyntaxError } from "./errors.js";

const o: EvalOptions = {
  contexts: {
    github: {
      event_name: "push",
      ref: "refs/heads/main",
      event: {
        issue: { labels: [{ name: "bug" }, { name: "help wanted" }] },
        commits: [{ message: "first" }, { message: "second" }],
      },
    },
    env: { FOO: "bar", time: "3", EMPTY: "" },
    needs: {
      build: { result: "success", outputs: { matrix: '{"os":["ubuntu","macos"]}', count: "10" } },
      test: { result: "failure", outputs: {} },
    },
    steps: { demo: { outcome: "failure", conclusion: "success", outputs: { version: "1.2.3" } } },
    matrix: { os: "ubuntu-latest", node: 20 },
    vars: { fruits: '[{"name":"apple","quantity":1},{"name":"orange","quantity":2},{"name":"pear","quantity":1}]' },
    job: { status: "success" },
  },
};

const run = (body: string): Value => evaluate(body, o);

describe("evaluate: lines from the acceptance corpus", () => {
  it.each<[string, Value]>([
    ["format('{0}-{1}-{{literal}}', 'a', 1)", "a-1-{literal}"],
    ["contains('Hello World', 'world')", true],
    [`contains(fromJSON('["x","y"]'), 'Y')`, true],
    ["startsWith('refs/heads/main','refs/heads/')", true],
    ["endsWith('file.TXT','.txt')", true],
    [`join(fromJSON('["a","b","c"]'), '+')`, "a+b+c"],
    [`join(fromJSON('[{"n":1},{"n":2}]').*.n, ',')`, "1,2"],
    [`fromJSON('{"x":[1,2]}').x[1]`, 2],
    ["matrix.extra || 'none'", "none"],
    ["toJSON(needs.*.result)", '[\n  "success",\n  "failure"\n]'],
  ])("%s = %j", (body, expected) => {
    expect(run(body)).toEqual(expected);
  });

  it.each([
    ["${{ 1.50 }}", "1.5"],
    ["${{ 0x10 }}", "16"],
  ])("%s prints as %s", (template, expected) => {
    expect(interpolate(template, o)).toBe(expected);
  });
});

describe("evaluate: examples from GitHub's documentation", () => {
  it.each<[string, Value]>([
    // Literals
    ["null", null],
    ["false", false],
    ["711", 711],
    ["-9.2", -9.2],
    ["0xff", 255],
    ["-2.99e-2", -0.0299],
    ["'It''s open source!'", "It's open source!"],
    // Functions
    ["contains('Hello world', 'llo')", true],
    ["contains(github.event.issue.labels.*.name, 'bug')", true],
    [`contains(fromJSON('["push", "pull_request"]'), github.event_name)`, true],
    ["startsWith('Hello world', 'He')", true],
    ["endsWith('Hello world', 'ld')", true],
    ["format('Hello {0} {1} {2}', 'Mona', 'the', 'Octocat')", "Hello Mona the Octocat"],
    ["format('{{Hello {0} {1} {2}!}}', 'Mona', 'the', 'Octocat')", "{Hello Mona the Octocat!}"],
    ["join(github.event.issue.labels.*.name, ', ')", "bug, help wanted"],
    ["fromJSON(env.time)", 3],
    ["fromJSON(needs.build.outputs.matrix)", { os: ["ubuntu", "macos"] }],
    ["toJSON(job)", '{\n  "status": "success"\n}'],
    // The ternary idiom
    ["github.ref == 'refs/heads/main' && 'value_for_main_branch' || 'value_for_other_branches'", "value_for_main_branch"],
    // Object filters
    ["fromJSON(vars.fruits).*.name", ["apple", "orange", "pear"]],
    ["github.event.commits.*.message", ["first", "second"]],
    // Numeric comparison through fromJSON, as the docs advise
    ["fromJSON(needs.build.outputs.count) > 9", true],
    // Status
    ["failure() && steps.demo.conclusion == 'failure'", false],
    ["!cancelled()", true],
  ])("%s = %j", (body, expected) => {
    expect(run(body)).toEqual(expected);
  });
});

describe("evaluate: operators and coercion", () => {
  it.each<[string, Value]>([
    ["null == 0", true],
    ["'10' > 9", true],
    ["1 == '1'", true],
    ["'ABC' == 'abc'", true],
    ["'abc' < 'ABD'", true],
    ["!''", true],
    ["!'0'", false],
    ["!0", true],
    ["!null", true],
    ["!fromJSON('{}')", false],
    ["'' || 'fallback'", "fallback"],
    ["'a' && 'b'", "b"],
    ["'' && 'b'", ""],
    ["0 || null", null],
    ["true == 1", true],
    ["false == ''", true],
    ["null == ''", true],
    ["null == false", true],
    ["'' == 0", true],
    ["' 12 ' == 12", true],
    ["'0x10' == 16", true],
    ["'1e3' == 1000", true],
    ["'abc' == 0", false],
    ["NaN == NaN", false],
    ["NaN != NaN", true],
    ["NaN < 1", false],
    ["NaN >= NaN", false],
    ["Infinity > 1e308", true],
    ["2 >= 2", true],
    ["2 <= 1", false],
    ["true > false", true],
    ["'b' > 'a'", true],
    ["fromJSON('[]') == fromJSON('[]')", false],
    ["github.event == github.event", true],
    ["fromJSON('{}') == 'Object'", false],
    ["(1 == 1) && (2 > 1 || false)", true],
    ["!(1 == 2)", true],
  ])("%s = %j", (body, expected) => {
    expect(run(body)).toEqual(expected);
  });
});

describe("evaluate: contexts and property access", () => {
  it.each<[string, Value]>([
    ["GitHub.Event_Name", "push"],
    ["github['event_name']", "push"],
    ["github.EVENT.issue.labels[1].name", "help wanted"],
    ["github.event.issue.labels[1.9].name", "help wanted"],
    ["github.event.issue.labels['1'].name", "help wanted"],
    ["github.event.issue.labels[-1]", null],
    ["github.event.issue.labels[5]", null],
    ["github.nope", null],
    ["github.nope.deeper", null],
    ["needs.build.outputs.nope", null],
    ["needs.*.result", ["success", "failure"]],
    ["needs.*.outputs.*", ['{"os":["ubuntu","macos"]}', "10"]],
    ["github.event_name.*", []],
    ["matrix.node", 20],
    ["steps.demo.outputs.version", "1.2.3"],
    ["inputs", {}],
    ["secrets.GITHUB_TOKEN", null],
    // env is case-sensitive on Linux runners (CaseSensitiveDictionaryContextData)
    ["env.FOO", "bar"],
    ["env.foo", null],
    ["ENV.FOO", "bar"],
  ])("%s = %j", (body, expected) => {
    expect(run(body)).toEqual(expected);
  });

  it("treats a missing context as an empty object, and a missing matrix as null", () => {
    const none: EvalOptions = { contexts: {} };
    expect(evaluate("toJSON(needs)", none)).toBe("{}");
    expect(evaluate("matrix", none)).toBeNull();
    expect(evaluate("github.ref", none)).toBeNull();
  });

  it("keeps a key named __proto__ as a plain key", () => {
    const v = evaluate(`fromJSON('{"__proto__":{"x":1}}')`, o);
    expect(Object.keys(v as object)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });
});

describe("evaluate: functions", () => {
  it.each<[string, Value]>([
    ["CONTAINS('abc', 'B')", true],
    ["contains('abc', fromJSON('[]'))", false],
    ["contains(fromJSON('[1,2]'), '2')", true],
    ["contains(fromJSON('{\"a\":1}'), 'a')", false],
    ["contains('', '')", true],
    ["contains(null, '')", true],
    ["contains(12.5, '.5')", true],
    ["startsWith(github.event, 'O')", false],
    ["endsWith(true, 'UE')", true],
    ["format('{0}', null)", ""],
    ["format('{0}{0}{1}', 'a', fromJSON('[1]'))", "aaArray"],
    ["format('{0}', fromJSON('{}'))", "Object"],
    ["format('no placeholders')", "no placeholders"],
    ["format('}}{{')", "}{"],
    ["format('{0}', 1e21)", "1E+21"],
    ["join('abc')", "abc"],
    ["join(null)", ""],
    ["join(fromJSON('[]'), '-')", ""],
    ["join(fromJSON('[1, true, null, \"x\"]'))", "1,true,,x"],
    ["join(fromJSON('[[1],{}]'), ' ')", "Array Object"],
    ["join(github.event)", ""],
    ["toJSON('a\"b')", '"a\\"b"'],
    ["toJSON(1.5)", "1.5"],
    ["toJSON(null)", "null"],
    ["toJSON(fromJSON('[]'))", "[]"],
    ["toJSON(fromJSON('{\"a\":{}}'))", '{\n  "a": {}\n}'],
    ["fromJSON('true')", true],
    ["fromJSON('\"s\"')", "s"],
    ["fromJSON(' [1, {\"a\": null}] ')", [1, { a: null }]],
    ["case(true, 'a', 'b')", "a"],
    ["case(false, 'a', 1 == 1, 'b', 'c')", "b"],
    ["case(false, 'a', 'c')", "c"],
    ["always()", true],
    ["success()", true],
    ["failure()", false],
    ["cancelled()", false],
  ])("%s = %j", (body, expected) => {
    expect(run(body)).toEqual(expected);
  });

  it.each([
    ["fromJSON('')", /fromJSON: the input is empty/],
    ["fromJSON('{bad')", /fromJSON: the input is not valid JSON/],
    ["fromJSON(env.FOO)", /not valid JSON/],
    ["format('{1}', 'a')", /references more arguments/],
    ["format('{0', 'a')", /format string is not valid/],
    ["format('a}b')", /format string is not valid/],
    ["format('{x}', 'a')", /format string is not valid/],
    ["format('{256}', 'a')", /format string is not valid/],
    ["format('{0:yyyy}', 'a')", /format specifiers are not supported/],
    ["case('yes', 'a', 'b')", /case: condition 1 is not a boolean/],
    ["hashFiles('**/x')", /hashFiles\(\) cannot be evaluated here/],
  ])("%s fails with an ExpressionEvaluationError", (body, message) => {
    expect(() => run(body)).toThrow(ExpressionEvaluationError);
    expect(() => run(body)).toThrow(message);
  });
});

describe("evaluate: status functions", () => {
  it.each<[EvalOptions["status"], Value[]]>([
    [undefined, [true, false, false, true]],
    [{ failed: false, cancelled: false }, [true, false, false, true]],
    [{ failed: true, cancelled: false }, [false, true, false, true]],
    // As on the runner, a cancelled job is neither a success nor a failure.
    [{ failed: true, cancelled: true }, [false, false, true, true]],
    [{ failed: false, cancelled: true }, [false, false, true, true]],
  ])("status %j gives success/failure/cancelled/always = %j", (status, expected) => {
    const withStatus = { ...o, status };
    expect(["success()", "failure()", "cancelled()", "always()"].map((b) => evaluate(b, withStatus))).toEqual(expected);
  });
});

describe("evaluate: syntax", () => {
  it.each([
    ["toUpper('a')", "unknown function 'toUpper'", 0],
    ["foo.bar", "unknown context 'foo'", 0],
    ['"double"', `unexpected symbol '"double"'`, 0],
    ["1 ==", "unexpected end of expression", 4],
  ])("%s is a syntax error: %s", (body, message, offset) => {
    expect(() => run(body)).toThrow(ExpressionSyntaxError);
    try {
      run(body);
    } catch (e) {
      expect(e).toMatchObject({ message, offset });
    }
  });
});

describe("evaluateTemplate and interpolate", () => {
  it.each<[string, Value]>([
    ["${{ fromJSON(needs.build.outputs.matrix) }}", { os: ["ubuntu", "macos"] }],
    ["${{ 3 }}", 3],
    ["${{true}}", true],
    ["${{ null }}", null],
    ["${{ 'a' }}", "a"],
    ["no expressions", "no expressions"],
    ["", ""],
    // Text around the expression, even whitespace, makes it a string (GitHub's template reader).
    [" ${{ 3 }}", " 3"],
    ["${{ 3 }}\n", "3\n"],
    ["${{ 1 }}${{ 2 }}", "12"],
    ["os=${{ matrix.os }}", "os=ubuntu-latest"],
  ])("evaluateTemplate(%j) = %j", (template, expected) => {
    expect(evaluateTemplate(template, o)).toEqual(expected);
  });

  it.each([
    ["echo ${{ github.event_name }}!", "echo push!"],
    ["${{ null }}|${{ true }}|${{ 1.0 }}|${{ github.event }}|${{ needs.*.result }}", "|true|1|Object|Array"],
    ["${{ 'a}}b' }}", "a}}b"],
    ["${{ '${{' }} literal", "${{ literal"],
    ["${{ 0.1 + 0.2 }}", "0.1"],
    ["${{ 123456789012345678 }}", "1.23456789012346E+17"], // the literal is read as the nearest double
    ["${{ 0.00001 }}", "1E-05"],
    ["${{ env.EMPTY }}x", "x"],
    ["$ {{ not an expression }}", "$ {{ not an expression }}"],
  ])("interpolate(%j) = %j", (template, expected) => {
    if (template === "${{ 0.1 + 0.2 }}") {
      // There is no + operator: GitHub refuses this expression.
      expect(() => interpolate(template, o)).toThrow(ExpressionSyntaxError);
      return;
    }
    expect(interpolate(template, o)).toBe(expected);
  });

  it("reports syntax errors with offsets into the template", () => {
    expect(() => interpolate("a ${{ foo }}", o)).toThrow(expect.objectContaining({ offset: 6, message: "unknown context 'foo'" }));
    expect(() => interpolate("a ${{ b", o)).toThrow(expect.objectContaining({ offset: 2, message: "unclosed ${{ (missing }})" }));
  });
});
