import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ApiError,
  EXAMPLES_URL,
  LESSONS_URL,
  PLAYER_URL,
  TRACE_URL,
  examples,
  lessons,
  playerShell,
  trace,
  traceWithWire,
} from "../js/net/api.js";
import { seedTrace, wireFixture } from "./helpers.mjs";

/** A fetch that answers every call with `status` and `body` and records the calls. */
function fakeFetch(status, body, calls = []) {
  return async (url, init) => {
    calls.push({ url, init });
    return new Response(typeof body === "string" ? body : JSON.stringify(body), { status });
  };
}

test("trace posts the request as JSON and returns the TraceOut, its tensors in place", async () => {
  const calls = [];
  const wire = wireFixture("seed_trace.json");
  const result = await trace({ source: "x" }, { fetch: fakeFetch(200, wire, calls) });
  assert.equal(result.nodes.length, 9);
  assert.deepEqual(result, seedTrace());
  assert.equal(result.tensors, undefined);
  assert.equal(calls[0].url, TRACE_URL);
  assert.equal(calls[0].init.method, "POST");
  assert.equal(calls[0].init.headers["Content-Type"], "application/json");
  assert.equal(calls[0].init.body, '{"source":"x"}');
});

test("an ErrorOut becomes an ApiError with code, message, place and status", async () => {
  const body = { error: { code: "unknown_name", message: "unknown name 'q'", line: 7, col: 10 } };
  await assert.rejects(trace({ source: "q" }, { fetch: fakeFetch(422, body) }), (err) => {
    assert.ok(err instanceof ApiError);
    assert.deepEqual(
      [err.code, err.message, err.line, err.col, err.status],
      ["unknown_name", "unknown name 'q'", 7, 10, 422],
    );
    return true;
  });
});

test("an ErrorOut's extras come on the ApiError: torch's message, names, output, partial graph", async () => {
  const partial = wireFixture("seed_trace.json");
  const body = {
    error: {
      code: "torch_error",
      message: "W @ x: 3×4 and 5×2 cannot be multiplied",
      line: 6,
      col: 4,
      torch_message: "mat1 and mat2 shapes cannot be multiplied (3x4 and 5x2)",
      stdout: "before\n",
      partial,
    },
  };
  await assert.rejects(trace({ source: "W @ x" }, { fetch: fakeFetch(422, body) }), (err) => {
    assert.deepEqual(
      [err.torchMessage, err.names, err.stdout, err.partial],
      ["mat1 and mat2 shapes cannot be multiplied (3x4 and 5x2)", null, "before\n", seedTrace()],
    );
    return true;
  });
  const unknown = { error: { code: "unknown_name", message: "unknown name 'w'", names: ["w", "b"] } };
  await assert.rejects(trace({ source: "w + b" }, { fetch: fakeFetch(422, unknown) }), (err) => {
    assert.deepEqual(
      [err.names, err.torchMessage, err.stdout, err.partial],
      [["w", "b"], null, null, null],
    );
    return true;
  });
});

test("an error without a description still becomes an ApiError", async () => {
  await assert.rejects(
    trace({ source: "" }, { fetch: fakeFetch(502, "<html>Bad gateway</html>") }),
    {
      name: "ApiError",
      code: "bad_response",
      status: 502,
      message: "the server answered 502 without an error description",
    },
  );
});

test("a success that is not a traced graph is a bad_response", async () => {
  await assert.rejects(trace({ source: "" }, { fetch: fakeFetch(200, { nodes: "no" }) }), {
    code: "bad_response",
    message: "the server's answer is not a traced graph",
  });
  // A v1 body (tensors inline, no table), or a reference to no tensor of the table.
  const v1 = { ...wireFixture("seed_trace.json"), tensors: undefined };
  const dangling = wireFixture("seed_trace.json");
  dangling.nodes[0].value = dangling.tensors.length;
  for (const body of [v1, dangling]) {
    await assert.rejects(trace({ source: "" }, { fetch: fakeFetch(200, body) }), {
      code: "bad_response",
      message: "the server's answer is not a traced graph",
    });
  }
});

test("a network failure is a network_error with status 0", async () => {
  const failing = async () => {
    throw new TypeError("fetch failed");
  };
  await assert.rejects(trace({ source: "" }, { fetch: failing }), {
    code: "network_error",
    status: 0,
  });
});

test("an aborted request rejects with the AbortError, not an ApiError", async () => {
  const controller = new AbortController();
  controller.abort();
  const aborting = async (url, init) => {
    init.signal.throwIfAborted();
  };
  await assert.rejects(trace({ source: "" }, { fetch: aborting, signal: controller.signal }), {
    name: "AbortError",
  });
});

test("examples fetches the menu with GET and returns it as listed", async () => {
  const calls = [];
  const list = [{ id: "chain-rule", title: "The chain rule", topic: "chain rule", source: "x" }];
  assert.deepEqual(await examples({ fetch: fakeFetch(200, list, calls) }), list);
  assert.equal(calls[0].url, EXAMPLES_URL);
  assert.equal(calls[0].init.method, undefined);
});

test("an answer that is not a list of examples is a bad_response", async () => {
  for (const [status, body] of [
    [200, { nodes: [] }],
    [200, [{ id: 1 }]],
    [500, "oops"],
  ]) {
    await assert.rejects(examples({ fetch: fakeFetch(status, body) }), { code: "bad_response" });
  }
});

test("lessons fetches the lessons with GET; a list without questions is a bad_response", async () => {
  const calls = [];
  const lesson = {
    id: "chain-rule",
    number: 3,
    title: "The chain rule",
    explanation: "Each op…",
    source: "x",
    pauses: [{ phase: "backward", node: "x" }],
    question: { prompt: "dy/dx?", kind: "number", name: "x", field: "grad", phase: null },
    variants: [],
  };
  assert.deepEqual(await lessons({ fetch: fakeFetch(200, [lesson], calls) }), [lesson]);
  assert.equal(calls[0].url, LESSONS_URL);
  const { question, ...bare } = lesson;
  assert.ok(question);
  await assert.rejects(lessons({ fetch: fakeFetch(200, [bare]) }), { code: "bad_response" });
});

test("traceWithWire returns the TraceOut and the body as the server sent it", async () => {
  const wire = wireFixture("seed_trace.json");
  const { trace: result, wire: body } = await traceWithWire(
    { source: "x" },
    { fetch: fakeFetch(200, wire) },
  );
  assert.deepEqual(result, seedTrace());
  assert.deepEqual(body, wire);
});

test("playerShell gets the offline player's document, and a failure is an ApiError", async () => {
  const calls = [];
  const shell = await playerShell({ fetch: fakeFetch(200, "<html>player</html>", calls) });
  assert.equal(shell, "<html>player</html>");
  assert.equal(calls[0].url, PLAYER_URL);
  await assert.rejects(playerShell({ fetch: fakeFetch(429, "{}") }), (err) => {
    assert.ok(err instanceof ApiError);
    assert.deepEqual([err.code, err.status], ["bad_response", 429]);
    return true;
  });
});
