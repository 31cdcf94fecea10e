import assert from "node:assert/strict";
import { test } from "node:test";
import { lessonOf, lessonPauses } from "../js/core/lessons.js";
import { buildModel } from "../js/core/model.js";
import { fromShared, parseHash, shareHash } from "../js/core/sharelink.js";
import { initialState } from "../js/core/state.js";
import { buildTimeline } from "../js/core/timeline.js";
import { seedTrace } from "./helpers.mjs";

/** Any program stands for the seed: the page's own comes from GET /api/v1/examples. */
const SEED = "import torch\nw = torch.ones(2, requires_grad=True)\nw.sum().backward()\n";
/** The page as a fresh load opens it, once the seed has come. */
const fresh = () => ({ ...initialState(SEED), seed: SEED });

const LESSON = {
  id: "chain-rule",
  source: SEED,
  pauses: [
    { phase: "forward", node: "w" },
    { phase: "backward", node: "w" },
    { phase: "backward", node: "nowhere" },
  ],
};

test("the untouched seed program shares as no hash at all", () => {
  assert.equal(shareHash(fresh()), "");
  assert.equal(shareHash({ ...fresh(), mode: "edit", step: null }), "");
  // Nor does the empty editor of a page whose seed has not come (or never will).
  assert.equal(shareHash(initialState()), "");
});

test("a program other than the seed is spelled out, whichever seed the page was given", () => {
  const edited = { ...fresh(), source: `${SEED}print(w.grad)\n` };
  assert.equal(parseHash(shareHash(edited)).source, edited.source);
  assert.equal(parseHash(shareHash({ ...fresh(), seed: "x = 1\n" })).source, SEED);
  assert.equal(parseHash(shareHash({ ...fresh(), seed: null })).source, SEED);
  assert.equal(parseHash(shareHash({ ...fresh(), source: "" })).source, "");
});

test("the share link reopens the step, the node and presenter mode of the page as it is", () => {
  const state = { ...fresh(), step: 3, selected: "n6", mode: "present" };
  assert.deepEqual(parseHash(shareHash(state)), {
    source: SEED,
    variables: [],
    step: 3,
    node: "n6",
    lesson: null,
    mode: "present",
    compare: null,
  });
});

test("a lesson's unedited program is left out of its link; an edited one travels with it", () => {
  const state = { ...fresh(), lesson: "chain-rule", lessons: [LESSON], step: 12 };
  assert.equal(shareHash(state), "#lesson=chain-rule&step=12");
  assert.equal(parseHash(shareHash({ ...state, source: "x = 1\n" })).source, "x = 1\n");
  // Before the lessons come, the lesson's program is not known: it is spelled out.
  assert.equal(parseHash(shareHash({ ...state, lessons: null })).source, SEED);
});

test("the open lesson is found once the lessons are loaded; its pauses are positions", () => {
  const state = { ...fresh(), lesson: "chain-rule", lessons: null };
  assert.equal(lessonOf(state), null);
  assert.deepEqual(lessonPauses(state), []);
  const loaded = { ...state, lessons: [LESSON] };
  assert.equal(lessonOf(loaded), LESSON);
  assert.deepEqual(lessonPauses(loaded), [null, null, null]); // nothing traced yet
  const timeline = buildTimeline(buildModel(seedTrace()));
  const w = timeline.forward.findIndex((s) => s.node === "n6");
  const back = timeline.backward.findIndex((s) => s.node === "n6");
  assert.deepEqual(lessonPauses({ ...loaded, timeline }), [w, timeline.F + back, null]);
  assert.equal(lessonOf({ ...loaded, lesson: "other" }), null);
});

test("two runs compared travel together: the link carries the second program too", () => {
  const second = "import torch\nx = torch.ones(2, requires_grad=True)\n(x * 3).sum().backward()\n";
  const state = { ...fresh(), compare: { source: second } };
  const hash = shareHash(state);
  assert.match(hash, /^#src=[A-Za-z0-9_-]+&cmp=[A-Za-z0-9_-]+$/);
  const link = parseHash(hash);
  assert.equal(link.source, SEED);
  assert.equal(link.compare, second);
  assert.deepEqual(fromShared(link, SEED).compare, { source: second });
  // Leaving compare: the one-run page, whose link is the plain page's.
  assert.equal(shareHash({ ...state, compare: null }), "");
  assert.equal(parseHash("#src=eA&cmp=%%%").compare, null);
});
