/**
 * The HTTP edge: POST /api/v1/trace and turn every failure into an ApiError.
 *
 * The typedefs below mirror backend/chainrule/api/schemas.py, the API contract;
 * change them together.
 */

/** Where the API lives, relative to the page. */
export const TRACE_URL = "api/v1/trace";
export const EXAMPLES_URL = "api/v1/examples";
export const LESSONS_URL = "api/v1/lessons";

// --- requests (schemas.py: *Request / *In) ---------------------------------------------

/**
 * A number or nested list of numbers in a request.
 * @typedef {number|boolean|NestedInput[]} NestedInput
 */

/**
 * VariableIn: a pre-bound input for a single expression.
 * @typedef {object} VariableIn
 * @property {number|boolean|NestedInput[]} value  becomes a tensor
 * @property {boolean} [requires_grad]  make it a leaf that collects .grad (default false)
 */

/**
 * TraceRequest: a program (or a single expression) to run and trace.
 * @typedef {object} TraceRequest
 * @property {string} source  a program in chainrule's Python subset, or a single expression
 * @property {Object<string, VariableIn>} [variables]  inputs pre-bound by name
 * @property {string|null} [output]  name of the tensor whose graph to show
 */

// --- responses (schemas.py: *Out) ------------------------------------------------------

/**
 * A number in a response: finite floats as JSON numbers, non-finite ones as strings.
 * @typedef {number|boolean|"nan"|"inf"|"-inf"} Num
 */

/**
 * A tensor's data: a number for 0-d tensors, nested lists otherwise.
 * @typedef {Num|NestedData[]} NestedData
 */

/**
 * SummaryOut: statistics of a tensor's elements.
 * @typedef {object} Summary
 * @property {Num|null} min
 * @property {Num|null} max
 * @property {Num|null} mean
 * @property {Num|null} std
 */

/**
 * TensorOut: always shape, dtype and summary; data when small.
 * @typedef {object} Tensor
 * @property {number[]} shape
 * @property {string} dtype  e.g. "float32"
 * @property {NestedData|null} data  null when the tensor is too large to list; true/false
 *   for a bool tensor
 * @property {Summary} summary
 */

/**
 * SpanOut: where in the source a node was made; 1-based lines, 0-based columns, end exclusive.
 * @typedef {object} Span
 * @property {number} line
 * @property {number} col
 * @property {number} end_line
 * @property {number} end_col
 */

/**
 * NodeOutputOut: one result of an op that produced several (unbind, split, chunk, a
 * tensor's rows, the min/max builtins, torch.max with dim, topk, sort).
 * @typedef {object} NodeOutput
 * @property {number} output  its position among the op's results; edges reading it carry
 *   the same number in `output`
 * @property {string|null} name  the variable bound to this result
 * @property {Tensor} value  its value, as the op produced it
 * @property {Tensor|null} grad  d output / d this result, as it arrived in the last backward
 *   phase; null where none flowed
 * @property {boolean} differentiable  false for a result no gradient can reach (the indices
 *   of torch.max)
 * @property {number[]} grad_parts  when it feeds several ops: the indices of its out-edges,
 *   whose gradients add up to its gradient
 */

/**
 * NodeOut: one node of the autograd graph.
 * @typedef {object} GraphNode
 * @property {string} id  stable id, assigned in graph order ("n0")
 * @property {"op"|"leaf"|"constant"} kind
 * @property {string|null} op  grad_fn class name ("MulBackward0"); AccumulateGrad for leaves;
 *   null for constants
 * @property {string} label  a short friendly label, such as × for MulBackward0
 * @property {string|null} meaning  what the op computes, in plain English
 * @property {string|null} name  the variable bound to this tensor, or a parameter's
 *   qualified name
 * @property {Tensor|null} value  forward value of the tensor this node produced
 * @property {Tensor|null} grad  d output / d this node's tensor; null where no gradient flows
 * @property {Span|null} span  the source expression that created the tensor
 * @property {string|null} module  qualified name of the module the op ran inside ("model.0")
 * @property {string|null} formula  what the op computes, in LaTeX ("y = a \\cdot b")
 * @property {Object<string, Tensor|Num|number[]|string|null>} saved  the grad_fn's saved
 *   values (_saved_* without the prefix), as captured during the backward pass; null for a
 *   value torch did not keep
 * @property {number[]} grad_parts  when the tensor feeds several ops: indices of its
 *   out-edges, whose gradients add up to this node's gradient
 * @property {NodeOutput[]} outputs  for an op that produced several tensors: each one the
 *   program used (read by an edge, bound to a name, or differentiated); `value`, `grad`,
 *   `name` and `grad_parts` above are then those of output 0 (often unused). Empty for
 *   every other node
 */

/**
 * EdgeOut: a data-flow edge; the tensor of `source` is argument `input` of op `target`.
 * @typedef {object} GraphEdge
 * @property {string} source
 * @property {string} target
 * @property {number} input  position of this input among the target's inputs
 * @property {number} output  which output of the source it reads, for an op with several:
 *   the `output` of one of the source's `outputs`; 0 otherwise
 * @property {Tensor|null} grad  what flows back along this edge: d output / d source, from
 *   this path (the vector-Jacobian product torch computed)
 * @property {Tensor|null} local  the local derivative d target / d source, when the
 *   target's tensor has one element; null otherwise
 * @property {string|null} formula  the local derivative in LaTeX ("b" for a·b by a)
 */

/**
 * ModuleOut: a module of a named model, for clusters and collapsing.
 * @typedef {object} Module
 * @property {string} name  "model.0"
 * @property {string} type  "Linear"
 * @property {string|null} parent
 */

/**
 * PhaseOut: one backward() (or autograd.grad) call that ran through the graph.
 * @typedef {object} Phase
 * @property {number} index
 * @property {string|null} output  id of the node it differentiated
 * @property {Span|null} span  the backward() call in the source
 * @property {Tensor|null} seed  the `gradient` argument, when one was given
 * @property {"backward"|"autograd.grad"} call  backward() stores gradients in .grad;
 *   torch.autograd.grad returns them
 */

/**
 * ForwardStepOut: the teaching order; a node computed, in topological generations.
 * @typedef {object} ForwardStep
 * @property {string} node
 * @property {number} generation  0 for inputs; one past the op's latest input
 * @property {number[]} edges  indices of the edges the node reads
 */

/**
 * StepOutputOut: the gradient arriving at one output of a node with several.
 * @typedef {object} StepOutput
 * @property {number} output
 * @property {Tensor|null} grad
 */

/**
 * BackwardStepOut: the order autograd ran; a node receives its gradient and sends it on.
 * @typedef {object} BackwardStep
 * @property {number} phase
 * @property {string} node
 * @property {Tensor|null} grad  d output / d this node's tensor (output 0), arriving
 * @property {number[]} edges  indices of its input edges
 * @property {(Tensor|null)[]} sends  what flows back along each edge
 * @property {Tensor|null} accumulated  a leaf's .grad after this step
 * @property {boolean} returned  torch.autograd.grad returned the gradient arriving here to
 *   the program (this node's tensor was one of its inputs); nothing was stored in .grad
 * @property {StepOutput[]} outputs  for a node listing several outputs: the gradient
 *   arriving at each
 */

/**
 * StepsOut: forward steps (teaching order) and backward steps (autograd's real order).
 * @typedef {object} Steps
 * @property {ForwardStep[]} forward
 * @property {BackwardStep[]} backward
 */

/**
 * VariableOut: a tensor bound to a name when the program ends.
 * @typedef {object} Variable
 * @property {Tensor} value
 * @property {Tensor|null} grad  .grad as torch holds it at the end
 * @property {boolean} requires_grad
 * @property {number[]} shape
 */

/**
 * TraceOut: the traced graph of a program.
 * @typedef {object} TraceOut
 * @property {GraphNode[]} nodes
 * @property {GraphEdge[]} edges
 * @property {string|null} output  id of the differentiated (or shown) node
 * @property {Object<string, Variable>} variables
 * @property {string} stdout
 * @property {string[]} notes  what the program asked for that chainrule does not carry out
 *   (plots are not drawn), each said once
 * @property {Module[]} modules
 * @property {Phase[]} phases
 * @property {Steps} steps
 */

/**
 * ExampleOut: a program from the examples menu.
 * @typedef {object} Example
 * @property {string} id  "linear-regression"
 * @property {string} title
 * @property {string} topic  groups the menu
 * @property {string} source
 */

/**
 * PauseOut: a step a lesson stops at, the forward or backward step of a named node (or op).
 * @typedef {object} Pause
 * @property {"forward"|"backward"} phase
 * @property {string} node  a variable or parameter name, or a grad_fn name
 */

/**
 * QuestionOut: a lesson's question. A number's answer is the traced number of node `name`
 * (its `field`; with `phase`, the leaf's .grad after that backward phase).
 * @typedef {object} Question
 * @property {string} prompt
 * @property {"number"|"choice"} kind
 * @property {string|null} name
 * @property {"grad"|"value"} field
 * @property {number|null} phase
 * @property {number} tolerance  relative; 0 asks for a sign
 * @property {string[]} options
 * @property {string|null} answer  the right option, for choice questions
 */

/**
 * LeafCheckOut: one leaf's gradient, autograd's and central finite differences' (float64).
 * @typedef {object} LeafCheck
 * @property {string} node
 * @property {string|null} name
 * @property {number} elements  in the leaf; the first ones are checked
 * @property {(number|string)[]} analytic
 * @property {(number|string)[]} numeric
 * @property {number|string} max_rel_error  max |a - n| / max(|a|, |n|)
 */

/**
 * CheckOut (TraceOut.check, with "check": true): the gradient check.
 * @typedef {object} Check
 * @property {number} step  h, the finite-difference step
 * @property {string|null} error  why the check could not be made
 * @property {LeafCheck[]} leaves
 */

/**
 * LessonOut (GET /api/v1/lessons): a guided lesson.
 * @typedef {object} Lesson
 * @property {string} id
 * @property {number} number
 * @property {string} title
 * @property {string} explanation
 * @property {string} source
 * @property {Pause[]} pauses
 * @property {Question} question
 * @property {{title: string, source: string}[]} variants
 */

/**
 * ErrorDetail: what went wrong; line is 1-based, col 0-based.
 * @typedef {object} ErrorDetail
 * @property {string} code  e.g. "syntax_error", "unknown_name", "torch_error"
 * @property {string} message
 * @property {number|null} [line]
 * @property {number|null} [col]
 */

/**
 * ErrorOut: the body of every 4xx and 5xx response.
 * @typedef {object} ErrorOut
 * @property {ErrorDetail} error
 */

// --- errors ----------------------------------------------------------------------------

/**
 * Any failure of a call: the server's ErrorDetail, or one made up here for failures the
 * server could not describe (code "network_error" with status 0, "bad_response").
 */
export class ApiError extends Error {
  /** @param {{code: string, message: string, line?: number|null, col?: number|null, status: number}} detail */
  constructor({ code, message, line = null, col = null, status }) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.line = line;
    this.col = col;
    this.status = status;
  }
}

/** Is `body` an ErrorOut? */
function isErrorOut(body) {
  return (
    body !== null &&
    typeof body === "object" &&
    typeof body.error === "object" &&
    body.error !== null &&
    typeof body.error.code === "string" &&
    typeof body.error.message === "string"
  );
}

/** Is `body` shaped like a TraceOut (enough to draw it)? */
function isTraceOut(body) {
  return (
    body !== null &&
    typeof body === "object" &&
    Array.isArray(body.nodes) &&
    Array.isArray(body.edges) &&
    typeof body.stdout === "string"
  );
}

/**
 * Run and trace a program.
 * @param {TraceRequest} request
 * @param {{fetch?: typeof fetch, signal?: AbortSignal, url?: string}} [options]
 *   fetch: injected in tests; signal: aborts the request (the promise then rejects with the
 *   AbortError from fetch, not an ApiError)
 * @returns {Promise<TraceOut>}
 * @throws {ApiError}
 */
export async function trace(
  request,
  { fetch: fetchImpl = globalThis.fetch, signal, url = TRACE_URL } = {},
) {
  let response;
  try {
    response = await fetchImpl(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(request),
      signal,
    });
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    throw new ApiError({
      code: "network_error",
      message: "could not reach the chainrule server",
      status: 0,
    });
  }

  let body;
  try {
    body = await response.json();
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    body = undefined;
  }

  if (!response.ok) {
    if (isErrorOut(body)) {
      const { code, message, line = null, col = null } = body.error;
      throw new ApiError({ code, message, line, col, status: response.status });
    }
    throw new ApiError({
      code: "bad_response",
      message: `the server answered ${response.status} without an error description`,
      status: response.status,
    });
  }
  if (!isTraceOut(body)) {
    throw new ApiError({
      code: "bad_response",
      message: "the server's answer is not a traced graph",
      status: response.status,
    });
  }
  return body;
}

/**
 * GET a JSON list whose every item passes `valid`.
 * @throws {ApiError}
 */
async function getList(url, valid, what, { fetch: fetchImpl = globalThis.fetch, signal } = {}) {
  let response;
  try {
    response = await fetchImpl(url, { headers: { Accept: "application/json" }, signal });
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    throw new ApiError({
      code: "network_error",
      message: "could not reach the chainrule server",
      status: 0,
    });
  }
  let body;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (!(response.ok && Array.isArray(body) && body.every((e) => e && valid(e)))) {
    throw new ApiError({
      code: "bad_response",
      message: `the server's answer is not a list of ${what}`,
      status: response.status,
    });
  }
  return body;
}

/**
 * The examples menu: every example program the server offers, in its order.
 * @param {{fetch?: typeof fetch, signal?: AbortSignal, url?: string}} [options]
 * @returns {Promise<Example[]>}
 * @throws {ApiError}
 */
export function examples({ url = EXAMPLES_URL, ...options } = {}) {
  const valid = (e) => typeof e.id === "string" && typeof e.source === "string";
  return getList(url, valid, "examples", options);
}

/**
 * The lessons panel: every guided lesson, in its order.
 * @param {{fetch?: typeof fetch, signal?: AbortSignal, url?: string}} [options]
 * @returns {Promise<Lesson[]>}
 * @throws {ApiError}
 */
export function lessons({ url = LESSONS_URL, ...options } = {}) {
  const valid = (e) =>
    typeof e.id === "string" &&
    typeof e.source === "string" &&
    Array.isArray(e.pauses) &&
    e.question &&
    typeof e.question.prompt === "string";
  return getList(url, valid, "lessons", options);
}
