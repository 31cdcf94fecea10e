import assert from "node:assert/strict";
import { test } from "node:test";
import { TEST_OBJECT, installTestHooks } from "../js/app/testing.js";

test("a page opened without ?testing gets no test object and no hooks", () => {
  const target = {};
  const hooks = installTestHooks("?other=1", target);
  assert.deepEqual(Object.keys(target), []);
  assert.equal(hooks.elkGate, null);
  assert.equal(hooks.frameCosts(), null);
});

test("?testing installs the one test object; frame costs go where a benchmark puts them", () => {
  const target = {};
  const hooks = installTestHooks("?testing", target);
  assert.equal(TEST_OBJECT, "__chainruleTest");
  assert.deepEqual(Object.keys(target), ["__chainruleTest"]);
  assert.equal(hooks.elkGate, null);
  assert.equal(hooks.frameCosts(), null);
  const costs = [];
  target.__chainruleTest.frameCosts = costs;
  assert.equal(hooks.frameCosts(), costs);
});

test("?testing=hold-elk holds ELK's answers until releaseElk()", async () => {
  const target = {};
  const hooks = installTestHooks("?testing=hold-elk", target);
  let released = false;
  const waiting = hooks.elkGate.then(() => {
    released = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(released, false);
  target.__chainruleTest.releaseElk();
  await waiting;
  assert.equal(released, true);
});
