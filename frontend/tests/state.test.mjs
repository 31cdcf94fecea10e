import assert from "node:assert/strict";
import { test } from "node:test";
import { fromHash, fromShared, parseHash, toHash } from "../js/core/sharelink.js";
import { SPEEDS, createStore, failedRun, initialState } from "../js/core/state.js";

/** Any program stands for the seed: the page's own comes from GET /api/v1/examples. */
const SEED = "import torch\nw = torch.ones(2, requires_grad=True)\nw.sum().backward()\n";

test("a fresh state holds no program and no seed until the examples bring it", () => {
  const fresh = initialState();
  assert.deepEqual([fresh.source, fresh.seed, fresh.status], ["", null, "idle"]);
  assert.deepEqual([initialState(SEED).source, initialState(SEED).seed], [SEED, null]);
});

test("update merges a patch and tells subscribers the new and previous state", () => {
  const store = createStore(initialState("a"));
  const seen = [];
  const unsubscribe = store.subscribe((state, previous) =>
    seen.push([previous.status, state.status, state.source]),
  );
  store.update({ status: "running" });
  unsubscribe();
  store.update({ status: "done" });
  assert.deepEqual(seen, [["idle", "running", "a"]]);
  assert.equal(store.state.status, "done");
});

test("the state object is frozen: only update changes it", () => {
  const store = createStore(initialState());
  assert.throws(() => {
    store.state.status = "done";
  }, TypeError);
});

test("a program survives the round trip through the URL hash, unicode included", () => {
  const source = "x = torch.tensor([1.0])  # ∂ é 🙂\ny = x * 2\n";
  const hash = toHash(source);
  assert.match(hash, /^#src=[A-Za-z0-9_-]+$/);
  assert.equal(fromHash(hash), source);
  assert.equal(fromHash(toHash("")), "");
});

test("fromHash ignores hashes that hold no program", () => {
  assert.equal(fromHash(""), null);
  assert.equal(fromHash("#other=1"), null);
  assert.equal(fromHash("#src=%%%"), null);
  assert.equal(fromHash("#src=_w"), null); // not valid UTF-8
});

test("a shared link carries the program, its inputs, the step and the selected node", () => {
  const shared = {
    source: "(w * x).sum()",
    variables: [
      { name: "w", value: "1.0", requiresGrad: true },
      { name: "x", value: "[1.4, 2]", requiresGrad: false },
    ],
    step: 12,
    node: "n4",
    lesson: null,
    mode: null,
    compare: null,
  };
  const hash = toHash(shared);
  assert.match(hash, /^#src=[A-Za-z0-9_-]+&vars=[A-Za-z0-9_-]+&step=12&node=n4$/);
  assert.deepEqual(parseHash(hash), shared);
  assert.equal(fromHash(hash), shared.source);
});

test("a link without extras, or with damaged extras, still opens its program", () => {
  assert.deepEqual(parseHash(toHash("y = 1")), {
    source: "y = 1",
    variables: [],
    step: null,
    node: null,
    lesson: null,
    mode: null,
    compare: null,
  });
  const damaged = `${toHash("y = 1")}&vars=%%&step=-3&node=<script>`;
  assert.deepEqual(parseHash(damaged), {
    source: "y = 1",
    variables: [],
    step: null,
    node: null,
    lesson: null,
    mode: null,
    compare: null,
  });
  assert.equal(toHash({ source: "a", step: null, node: "bad id" }), toHash("a"));
});

test("the state starts at the end of the timeline, not playing, with the card open", () => {
  const state = initialState("x", [{ name: "w", value: "1", requiresGrad: true }]);
  assert.equal(state.step, null);
  assert.equal(state.playing, false);
  assert.equal(state.speed, 1);
  assert.equal(state.cardOpen, true);
  assert.deepEqual(state.collapsed, []);
  assert.equal(state.variables[0].name, "w");
  assert.ok(SPEEDS.includes(1));
});

test("a lesson link names the lesson, the step and the mode, without spelling out the program", () => {
  const shared = { source: null, step: 5, lesson: "chain-rule", mode: "present" };
  const hash = toHash(shared);
  assert.equal(hash, "#lesson=chain-rule&step=5&mode=present");
  assert.deepEqual(parseHash(hash), {
    source: null,
    variables: [],
    step: 5,
    node: null,
    lesson: "chain-rule",
    mode: "present",
    compare: null,
  });
  assert.equal(fromHash(hash), null);
});

test("an edited lesson program travels with its lesson; unknown modes are dropped", () => {
  const shared = { source: "y = 2", variables: [], step: null, node: null, lesson: "leaves" };
  const hash = toHash({ ...shared, mode: "edit" });
  assert.match(hash, /^#lesson=leaves&src=[A-Za-z0-9_-]+$/);
  assert.deepEqual(parseHash(hash), { ...shared, mode: null, compare: null });
  assert.equal(parseHash("#lesson=leaves&mode=fullscreen").mode, null);
  assert.equal(parseHash("#lesson=<bad>"), null);
  assert.equal(parseHash("#mode=present"), null);
});

test("the state starts in edit mode, outside any lesson, unless a link says otherwise", () => {
  const plain = initialState("x");
  assert.equal(plain.mode, "edit");
  assert.equal(plain.lesson, null);
  assert.equal(plain.predict, false);
  assert.deepEqual(plain.answers, {});
  const linked = initialState("", [], { lesson: "leaves", mode: "present" });
  assert.equal(linked.lesson, "leaves");
  assert.equal(linked.mode, "present");
});

test("a link sets the program, inputs, lesson and mode; no link (or a damaged one) the seed", () => {
  const seed = { source: SEED, variables: [], lesson: null, mode: "edit", compare: null };
  assert.deepEqual(fromShared(null, SEED), seed);
  assert.deepEqual(fromShared(parseHash("#src=%%%"), SEED), seed);
  // The seed comes with the examples: no program until then.
  assert.deepEqual(fromShared(null, null), { ...seed, source: "" });
  const rows = [{ name: "x", value: "2.0", requiresGrad: true }];
  const link = parseHash(toHash({ source: "y = x * 3", variables: rows }));
  const linked = { source: "y = x * 3", variables: rows, lesson: null, mode: "edit", compare: null };
  assert.deepEqual(fromShared(link, SEED), linked);
  assert.deepEqual(fromShared(link, null), linked);
  // A lesson's own program comes with the lessons: none until then, the seed or not.
  for (const known of [SEED, null]) {
    assert.deepEqual(fromShared(parseHash("#lesson=leaves&mode=present"), known), {
      source: "",
      variables: [],
      lesson: "leaves",
      mode: "present",
      compare: null,
    });
  }
});

test("a failed run keeps nothing of the run before it", () => {
  const error = { code: "parse_error", message: "invalid syntax", line: 2, col: 5 };
  const before = { ...initialState("x = 1\n"), status: "done", stdout: "1\n", step: 3, selected: "n1" };
  const after = { ...before, ...failedRun(error) };
  assert.deepEqual(after, {
    ...initialState("x = 1\n"),
    status: "error",
    error,
    stdout: "",
    notes: [],
    step: null,
    selected: null,
  });
});

test("a failed run keeps what the program printed before the error", () => {
  const error = { code: "torch_error", message: "W @ x: 3×4 and 5×2 cannot be multiplied", line: 6, col: 4 };
  const after = { ...initialState("x"), ...failedRun(error, "before\n") };
  assert.deepEqual([after.status, after.error, after.stdout, after.model], ["error", error, "before\n", null]);
});
