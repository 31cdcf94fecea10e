/**
 * The API contract as JSDoc types, written from the OpenAPI document that
 * backend/chainrule/api/schemas.py generates. Do not edit: run
 * `python -m chainrule.contract` (a test fails when this file is stale).
 */

/**
 * @typedef {object} BackwardStepOut
 *   The order autograd ran: a node receives its gradient and sends it on.
 * @property {number} phase
 * @property {string} node
 * @property {TensorOut|null} grad  d output / d this node's tensor (output 0), as autograd delivered it.
 * @property {number[]} edges  Indices of its input edges.
 * @property {TensorOut|null[]} sends  What flows back along each edge.
 * @property {TensorOut|null} accumulated  A leaf's .grad after this step, copied then.
 * @property {boolean} returned  The gradient arriving here was returned by torch.autograd.grad (this node's tensor was one of its inputs), not stored in .grad.
 * @property {StepOutputOut[]} outputs  For a node listing several outputs: the gradient arriving at each.
 */

/**
 * @typedef {object} BackwardStepOutV2
 *   The order autograd ran: a node receives its gradient and sends it on.
 * @property {number} phase
 * @property {string} node
 * @property {number|null} grad  d output / d this node's tensor (output 0), as autograd delivered it.
 * @property {number[]} edges  Indices of its input edges.
 * @property {number|null[]} sends  What flows back along each edge.
 * @property {number|null} accumulated  A leaf's .grad after this step, copied then.
 * @property {boolean} returned  The gradient arriving here was returned by torch.autograd.grad (this node's tensor was one of its inputs), not stored in .grad.
 * @property {StepOutputOutV2[]} outputs  For a node listing several outputs: the gradient arriving at each.
 */

/**
 * @typedef {object} CheckOut
 *   The gradient check, when the request asked for it.
 * @property {number} step  h, the finite-difference step.
 * @property {string|null} error  Why the check could not be made, if it could not.
 * @property {LeafCheckOut[]} leaves
 */

/**
 * @typedef {object} DiagnosisOut
 *   What the records say, in words.
 * @property {"dead_units"|"vanishing"|"exploding"|"non_finite"|"loss_rising"} kind
 * @property {string} message
 * @property {string[]} leaves  The leaves (by name) it is about.
 * @property {number|null} call  The call of backward it points at (0-based).
 */

/**
 * @typedef {object} EdgeOut
 *   A data-flow edge: the tensor of `source` is argument `input` of op `target`.
 * @property {string} source
 * @property {string} target
 * @property {number} input  Position of this input among the target's inputs.
 * @property {number} output  Which output of the source it reads, for ops with several (unbind, split): the `output` of one of the source's `outputs`; 0 otherwise.
 * @property {TensorOut|null} grad  What flows back along this edge: d output / d source, from this path (the vector-Jacobian product torch computed).
 * @property {TensorOut|null} local  The local derivative d target / d source, when the target's tensor has one element; null otherwise.
 * @property {string|null} formula  The local derivative in LaTeX (b for a·b by a).
 * @property {string|null} symbol  The letter the target's formulas (its `formula` and its edges') write this input as (a, b, A, c), for the page to write the input's shown name in its place; null when the op has no formula.
 */

/**
 * @typedef {object} EdgeOutV2
 *   A data-flow edge: the tensor of `source` is argument `input` of op `target`.
 * @property {string} source
 * @property {string} target
 * @property {number} input  Position of this input among the target's inputs.
 * @property {number} output  Which output of the source it reads, for ops with several (unbind, split): the `output` of one of the source's `outputs`; 0 otherwise.
 * @property {number|null} grad  What flows back along this edge: d output / d source, from this path (the vector-Jacobian product torch computed).
 * @property {number|null} local  The local derivative d target / d source, when the target's tensor has one element; null otherwise.
 * @property {string|null} formula  The local derivative in LaTeX (b for a·b by a).
 * @property {string|null} symbol  The letter the target's formulas (its `formula` and its edges') write this input as (a, b, A, c), for the page to write the input's shown name in its place; null when the op has no formula.
 */

/**
 * @typedef {object} ErrorDetail
 *   What went wrong, and where in the source when that applies.
 * @property {string} code
 * @property {string} message
 * @property {number|null} [line]
 * @property {number|null} [col]
 * @property {string|null} [torch_message]  torch's own message, when `message` says it in other words (a shape error names the expression and its operands' shapes).
 * @property {string[]|null} [names]  unknown_name: every name the program reads and never binds, in source order (for a single expression: the variables it needs).
 * @property {string|null} [stdout]  What the program printed before it stopped, if anything.
 * @property {TraceOut|null} [partial]  Where the program ran partway: the graph of the last tensor it assigned before the error that an op autograd recorded made, shaped as a successful trace, with forward values only (no backward phases, no gradients).
 */

/**
 * @typedef {object} ErrorDetailV2
 *   What went wrong (API v2): as v1's ErrorDetail, with a partial graph in v2's form.
 * @property {string} code
 * @property {string} message
 * @property {number|null} [line]
 * @property {number|null} [col]
 * @property {string|null} [torch_message]  torch's own message, when `message` says it in other words (a shape error names the expression and its operands' shapes).
 * @property {string[]|null} [names]  unknown_name: every name the program reads and never binds, in source order (for a single expression: the variables it needs).
 * @property {string|null} [stdout]  What the program printed before it stopped, if anything.
 * @property {TraceOutV2|null} [partial]  Where the program ran partway: the graph of the last tensor it assigned before the error that an op autograd recorded made, shaped as a successful trace, with forward values only (no backward phases, no gradients).
 */

/**
 * @typedef {object} ErrorOut
 *   Every 4xx and 5xx response has this body.
 * @property {ErrorDetail} error
 */

/**
 * @typedef {object} ErrorOutV2
 *   Every 4xx and 5xx response of /api/v2 has this body.
 * @property {ErrorDetailV2} error
 */

/**
 * @typedef {object} Example
 *   A program from the examples menu (also the API's shape: api/schemas.py uses it).
 * @property {string} id
 * @property {string} title
 * @property {string} topic
 * @property {string} source
 */

/**
 * @typedef {object} ForwardStepOut
 *   The teaching order: a node computed, in topological generations.
 * @property {string} node
 * @property {number} generation  0 for inputs; one past the op's latest input.
 * @property {number[]} edges  Indices of the edges the node reads.
 */

/**
 * @typedef {object} HealthOut
 *   The service is up.
 * @property {"ok"} status
 */

/**
 * @typedef {object} HistogramOut
 *   torch.histc's 16 bins over a large tensor's finite elements, between their min and max.
 * @property {number} min
 * @property {number} max
 * @property {number[]} counts
 */

/**
 * @typedef {object} LeafCheckOut
 *   One leaf's gradient beside its finite-difference estimate.
 * @property {string} node
 * @property {string|null} name
 * @property {number} elements  Elements in the leaf; the first ones are checked.
 * @property {number[][]} indices  Each checked element's index in the leaf, in the order of `analytic` and `numeric` ([3, 1] for row 3, column 1; [] for a 0-d leaf).
 * @property {number|boolean|"nan"|"inf"|"-inf"[]} analytic  autograd's gradient, as float64.
 * @property {number|boolean|"nan"|"inf"|"-inf"[]} numeric  (f(x + h) - f(x - h)) / 2h, in float64.
 * @property {number|boolean|"nan"|"inf"|"-inf"[]} rel_errors  Per checked element: |analytic - numeric| / max(|a|, |n|, 1e-8).
 * @property {number|boolean|"nan"|"inf"|"-inf"} max_rel_error  max |analytic - numeric| / max(|a|, |n|).
 */

/**
 * @typedef {object} Lesson
 *   A guided lesson: a program, a short explanation, the steps to pause at, a question.
 * @property {string} id
 * @property {number} number
 * @property {string} title
 * @property {string} explanation
 * @property {string} source
 * @property {Pause[]} pauses
 * @property {Question} question
 * @property {Variant[]} [variants]
 */

/**
 * @typedef {object} ModuleOut
 *   A module of a named model: clusters and collapsing in the graph.
 * @property {string} name
 * @property {string} type
 * @property {string|null} parent
 */

/**
 * @typedef {number|boolean|"nan"|"inf"|"-inf"|NestedData[]} NestedData
 */

/**
 * @typedef {number|boolean|NestedInput[]} NestedInput
 */

/**
 * @typedef {object} NodeOut
 *   One node of the autograd graph.
 * @property {string} id  Stable id, assigned in graph order.
 * @property {"op"|"leaf"|"constant"} kind
 * @property {string|null} op  grad_fn class name as torch names it; AccumulateGrad for leaves; null for constants.
 * @property {string} label  A short friendly label, such as × for MulBackward0.
 * @property {string|null} meaning  What the op computes, in plain English.
 * @property {string|null} name  The variable bound to this tensor, or a parameter's qualified name.
 * @property {string} shown  The name the node is shown by in formulas and cards: its `name`; else the expression it came from when short, written from its inputs' names (w*x, (y-z)**2) or as the source has it (2 * x); else t1, t2, … in forward order. Never one of the program's own names; no two nodes share one.
 * @property {TensorOut|null} value  Forward value of the tensor this node produced, copied when the op ran. A leaf's or constant's value is the one the graph's ops read (at the first op of the graph that read it), even if the program changed it later.
 * @property {TensorOut|null} grad  d output / d this node's tensor, copied when autograd delivered it in the last backward phase (for an input of torch.autograd.grad: the gradient the call returned); null where no gradient flows.
 * @property {SpanOut|null} span  The source expression that created the tensor.
 * @property {string|null} module  Qualified name of the module the op ran inside (model.0), or null.
 * @property {string|null} formula  What the op computes, in LaTeX (y = a · b).
 * @property {Object<string, number|boolean|"nan"|"inf"|"-inf">} numbers  Numbers the program wrote as the op's operands, by the letter its formulas write them as: for `b * 5`, {"b": 5} (b here is the formula's letter, not the program's variable).
 * @property {Object<string, TensorOut|number|boolean|"nan"|"inf"|"-inf"|number[]|string|null>} saved  The grad_fn's saved values (_saved_* without the prefix), as captured during the backward pass.
 * @property {number[]} grad_parts  When the tensor feeds several ops: the indices of its out-edges, whose gradients add up to this node's gradient.
 * @property {NodeOutputOut[]} outputs  For an op that produced several tensors: each one the program used (read by an edge, bound to a name, or differentiated). value, grad, name and grad_parts above are then those of output 0. Empty for other nodes.
 */

/**
 * @typedef {object} NodeOutV2
 *   One node of the autograd graph.
 * @property {string} id  Stable id, assigned in graph order.
 * @property {"op"|"leaf"|"constant"} kind
 * @property {string|null} op  grad_fn class name as torch names it; AccumulateGrad for leaves; null for constants.
 * @property {string} label  A short friendly label, such as × for MulBackward0.
 * @property {string|null} meaning  What the op computes, in plain English.
 * @property {string|null} name  The variable bound to this tensor, or a parameter's qualified name.
 * @property {string} shown  The name the node is shown by in formulas and cards: its `name`; else the expression it came from when short, written from its inputs' names (w*x, (y-z)**2) or as the source has it (2 * x); else t1, t2, … in forward order. Never one of the program's own names; no two nodes share one.
 * @property {number|null} value  Forward value of the tensor this node produced, copied when the op ran. A leaf's or constant's value is the one the graph's ops read (at the first op of the graph that read it), even if the program changed it later.
 * @property {number|null} grad  d output / d this node's tensor, copied when autograd delivered it in the last backward phase (for an input of torch.autograd.grad: the gradient the call returned); null where no gradient flows.
 * @property {SpanOut|null} span  The source expression that created the tensor.
 * @property {string|null} module  Qualified name of the module the op ran inside (model.0), or null.
 * @property {string|null} formula  What the op computes, in LaTeX (y = a · b).
 * @property {Object<string, number|boolean|"nan"|"inf"|"-inf">} numbers  Numbers the program wrote as the op's operands, by the letter its formulas write them as: for `b * 5`, {"b": 5} (b here is the formula's letter, not the program's variable).
 * @property {Object<string, TensorLink|number|boolean|"nan"|"inf"|"-inf"|number[]|string|null>} saved  The grad_fn's saved values (_saved_* without the prefix), as captured during the backward pass.
 * @property {number[]} grad_parts  When the tensor feeds several ops: the indices of its out-edges, whose gradients add up to this node's gradient.
 * @property {NodeOutputOutV2[]} outputs  For an op that produced several tensors: each one the program used (read by an edge, bound to a name, or differentiated). value, grad, name and grad_parts above are then those of output 0. Empty for other nodes.
 */

/**
 * @typedef {object} NodeOutputOut
 *   One result of an op that produced several (unbind, split, max with dim, topk).
 * @property {number} output  Its position among the op's results; edges reading it say the same number in `output`.
 * @property {string|null} name  The variable bound to this result, or null.
 * @property {TensorOut} value  Its value, as the op produced it.
 * @property {TensorOut|null} grad  d output / d this result, as it arrived in the last backward phase; null where none flowed.
 * @property {boolean} differentiable  False for a result no gradient can reach (the indices of torch.max).
 * @property {number[]} grad_parts  When it feeds several ops: the indices of its out-edges, whose gradients add up to its gradient.
 */

/**
 * @typedef {object} NodeOutputOutV2
 *   One result of an op that produced several (unbind, split, max with dim, topk).
 * @property {number} output  Its position among the op's results; edges reading it say the same number in `output`.
 * @property {string|null} name  The variable bound to this result, or null.
 * @property {number} value  Its value, as the op produced it.
 * @property {number|null} grad  d output / d this result, as it arrived in the last backward phase; null where none flowed.
 * @property {boolean} differentiable  False for a result no gradient can reach (the indices of torch.max).
 * @property {number[]} grad_parts  When it feeds several ops: the indices of its out-edges, whose gradients add up to its gradient.
 */

/**
 * @typedef {object} Pause
 *   A step a lesson stops at: the forward or backward step of a named node (or op).
 * @property {"forward"|"backward"} phase
 * @property {string} node  A variable or parameter name, or a grad_fn name such as TBackward0.
 */

/**
 * @typedef {object} PhaseOut
 *   One backward() (or autograd.grad) call that ran through the graph.
 * @property {number} index
 * @property {string|null} output  Id of the node it differentiated.
 * @property {SpanOut|null} span  The backward() call in the source.
 * @property {TensorOut|null} seed  The `gradient` argument, when one was given.
 * @property {"backward"|"autograd.grad"} call  backward() stores gradients in .grad; torch.autograd.grad returns them.
 */

/**
 * @typedef {object} PhaseOutV2
 *   One backward() (or autograd.grad) call that ran through the graph.
 * @property {number} index
 * @property {string|null} output  Id of the node it differentiated.
 * @property {SpanOut|null} span  The backward() call in the source.
 * @property {number|null} seed  The `gradient` argument, when one was given.
 * @property {"backward"|"autograd.grad"} call  backward() stores gradients in .grad; torch.autograd.grad returns them.
 */

/**
 * @typedef {object} Question
 *   A lesson's question. Numeric answers are never stored: `name`, `field` and `phase` point at the traced number torch computed.
 * @property {string} prompt
 * @property {"number"|"choice"} kind
 * @property {string|null} [name]  The node whose traced number is the answer.
 * @property {"grad"|"value"} [field]
 * @property {number|null} [phase]  For accumulation: the leaf's .grad after this backward phase.
 * @property {number} [tolerance]  Relative tolerance for numeric answers.
 * @property {string[]} [options]
 * @property {string|null} [answer]  The right option, for choice questions.
 */

/**
 * @typedef {object} RoomAnswerRequest
 *   A student's answer to the open question.
 * @property {string} student  The token POST /api/v2/rooms/{code}/students gave this student.
 * @property {string} question  The open question's id.
 * @property {number|string} value  A number, or one of a choice question's options.
 */

/**
 * @typedef {object} RoomAnswersOut
 *   The answers to the state's question, counted: never who answered what.
 * @property {string|null} question  The question's id; null when the state has none (then everything else is empty).
 * @property {"number"|"choice"|null} kind
 * @property {number} count  Students who answered.
 * @property {RoomBinOut[]} bins  A number question's histogram: 10 equal bins from the smallest answer to the largest (one when all are equal).
 * @property {RoomChoiceOut[]} choices  A choice question's count per option, in the question's order.
 * @property {number|null} right  Answers that are right, when the request said what is (`expected` or `expected_option`); else null.
 * @property {number|null} wrong  `count` less `right`, or null.
 */

/**
 * @typedef {object} RoomBinOut
 *   Answers from `low` up to `high` (the last bin includes `high`).
 * @property {number} low
 * @property {number} high
 * @property {number} count
 */

/**
 * @typedef {object} RoomChoiceOut
 *   How many students picked `option`.
 * @property {string} option
 * @property {number} count
 */

/**
 * @typedef {object} RoomCreatedOut
 *   A new room. `teacher_secret` is shown this once: keep it in the teacher's browser.
 * @property {string} code  The room's code: 10 symbols of Crockford's base32.
 * @property {string} teacher_secret  Send as `Authorization: Bearer <secret>` to publish, read answers and end the room.
 * @property {number} expires_in_s  Seconds the room lives without a new state (shorter before the first).
 * @property {string} path  The students' page: /r/<code>.
 */

/**
 * @typedef {object} RoomPublishedOut
 *   The state was stored and sent to every listener.
 * @property {number} seq  The number the server gave it.
 */

/**
 * @typedef {object} RoomQuestionOut
 *   The question open at the teacher's step, as the teacher sent it (no answer).
 * @property {string} id
 * @property {string} prompt
 * @property {"number"|"choice"} kind
 * @property {string[]} options
 */

/**
 * @typedef {object} RoomQuestionRequest
 *   The question the teacher's page has open (a predict pause, a lesson's question): what students may answer, never its answer.
 * @property {string} id  The question's id, chosen by the teacher's page; answers name it.
 * @property {string} prompt  The question as students read it.
 * @property {"number"|"choice"} kind
 * @property {string[]} [options]  A choice question's options (two or more); none for a number.
 */

/**
 * @typedef {object} RoomShownOut
 *   What the teacher's page shows: a RoomStateRequest as the teacher sent it.
 * @property {string} source
 * @property {Object<string, RoomVariableOut>} variables
 * @property {string|null} lesson
 * @property {number|null} call
 * @property {string|null} run
 * @property {number} step
 * @property {"forward"|"backward"|"done"} mode
 * @property {boolean} predict
 * @property {RoomQuestionOut|null} question
 * @property {boolean} revealed
 */

/**
 * @typedef {object} RoomStateOut
 *   A room's current state, as the teacher published it, numbered by the server.
 * @property {string} code
 * @property {number} seq  1 for the teacher's first state, one more for each after; 0 (and `state` null) before the first.
 * @property {RoomShownOut|null} state
 */

/**
 * @typedef {object} RoomStateRequest
 *   What the teacher's page shows, for students' pages to follow: the program, the lesson, the step, and the question open at it.
 * @property {string} source  The program, as traced.
 * @property {Object<string, VariableIn>} [variables]  Its pre-bound inputs, as in a TraceRequest.
 * @property {string|null} [lesson]  The open lesson's id, or null.
 * @property {number|null} [call]  The call of backward() shown, as a TraceRequest's `call`; null: the last.
 * @property {string|null} [run]  The teacher's run of the program, chosen by the teacher's page: a program run again asks its questions again.
 * @property {number} [step]  The timeline position the teacher is at.
 * @property {"forward"|"backward"|"done"} [mode]  Which part of the timeline `step` is in.
 * @property {boolean} [predict]  Predict mode is on: each step's number stays concealed until the class has answered it.
 * @property {RoomQuestionRequest|null} [question]  The question open at this step, or null.
 * @property {boolean} [revealed]  The teacher revealed the answer: the question takes no more answers.
 */

/**
 * @typedef {object} RoomStudentOut
 *   An anonymous student token: one answer per question per token.
 * @property {string} student
 */

/**
 * @typedef {object} RoomVariableOut
 *   A pre-bound input of the teacher's program, as the teacher sent it.
 * @property {NestedData} value
 * @property {boolean} requires_grad
 */

/**
 * @typedef {object} SpanOut
 *   Where in the source a node was made: 1-based lines, 0-based columns, end exclusive.
 * @property {number} line
 * @property {number} col
 * @property {number} end_line
 * @property {number} end_col
 */

/**
 * @typedef {object} StepOutputOut
 *   The gradient arriving at one output of a node with several.
 * @property {number} output
 * @property {TensorOut|null} grad
 */

/**
 * @typedef {object} StepOutputOutV2
 *   The gradient arriving at one output of a node with several.
 * @property {number} output
 * @property {number|null} grad
 */

/**
 * @typedef {object} StepsOut
 *   Forward steps (teaching order) and backward steps (autograd's real order).
 * @property {ForwardStepOut[]} forward
 * @property {BackwardStepOut[]} backward
 */

/**
 * @typedef {object} StepsOutV2
 *   Forward steps (teaching order) and backward steps (autograd's real order).
 * @property {ForwardStepOut[]} forward
 * @property {BackwardStepOutV2[]} backward
 */

/**
 * @typedef {object} SummaryOut
 *   Statistics of a tensor's elements (strings for non-finite values); mean and std are computed in float64, std with Bessel's correction.
 * @property {number|boolean|"nan"|"inf"|"-inf"|null} min
 * @property {number|boolean|"nan"|"inf"|"-inf"|null} max
 * @property {number|boolean|"nan"|"inf"|"-inf"|null} mean
 * @property {number|boolean|"nan"|"inf"|"-inf"|null} std
 * @property {HistogramOut|null} [histogram]  Present when `data` is null (the tensor is not listed).
 */

/**
 * @typedef {object} TensorLink
 *   A tensor among values of other kinds (a grad_fn's saved values): its index in the response's `tensors`.
 * @property {number} tensor  Its index in the response's `tensors`.
 */

/**
 * @typedef {object} TensorOut
 *   A tensor as JSON: always its shape, dtype and summary; its data when small.
 * @property {number[]} shape
 * @property {string} dtype
 * @property {NestedData|null} data  The values (a number for a 0-d tensor, nested lists otherwise); null when the tensor has more elements than the response lists.
 * @property {SummaryOut} summary
 */

/**
 * @typedef {object} TraceOut
 *   The traced graph of a program: nodes, edges, variables and printed output.
 * @property {NodeOut[]} nodes
 * @property {EdgeOut[]} edges
 * @property {string|null} output  Id of the differentiated (or shown) node; null when the program made no tensor (the graph is empty).
 * @property {Object<string, VariableOut>} variables
 * @property {string} stdout
 * @property {string[]} notes  What the program asked for that chainrule does not carry out, said once each (plots are not drawn).
 * @property {ModuleOut[]} modules
 * @property {PhaseOut[]} phases
 * @property {StepsOut} steps
 * @property {CheckOut|null} check  The gradient check, when asked for.
 * @property {TrainingOut|null} [training]  Every call of backward(), lightly (present when the program called backward() or autograd.grad at least once).
 */

/**
 * @typedef {object} TraceOutV2
 *   The traced graph of a program (API v2): as v1's TraceOut, with every distinct tensor written once in `tensors` and referred to everywhere else by its index there.
 * @property {NodeOutV2[]} nodes
 * @property {EdgeOutV2[]} edges
 * @property {string|null} output  Id of the differentiated (or shown) node; null when the program made no tensor (the graph is empty).
 * @property {Object<string, VariableOutV2>} variables
 * @property {string} stdout
 * @property {string[]} notes  What the program asked for that chainrule does not carry out, said once each (plots are not drawn).
 * @property {ModuleOut[]} modules
 * @property {PhaseOutV2[]} phases
 * @property {StepsOutV2} steps
 * @property {CheckOut|null} check  The gradient check, when asked for.
 * @property {TrainingOut|null} [training]  Every call of backward(), lightly (present when the program called backward() or autograd.grad at least once).
 * @property {TensorOut[]} tensors  Every distinct tensor of the response, once; the other fields refer to one by its index here (a TensorLink {"tensor": i} among a node's saved values).
 */

/**
 * @typedef {object} TraceRequest
 *   A program (or a single expression) to run and trace.
 * @property {string} source  A program in chainrule's Python subset, or a single expression.
 * @property {Object<string, VariableIn>} [variables]  Inputs pre-bound by name, for single expressions.
 * @property {string|null} [output]  Name of the tensor whose graph to show. Default: the tensor whose .backward() ran last; else the last tensor assigned; for an expression, its value.
 * @property {boolean} [check]  Also check every leaf's gradient against central finite differences in float64 (the graph's own ops replayed with each element nudged by ±h).
 * @property {number|null} [call]  Which call of backward() (or autograd.grad) to show, 0-based, when the program calls it more than once (a training loop): that call's graph and steps. Default: the one `output`'s rule picks (the last).
 */

/**
 * @typedef {object} TrainingOut
 *   Every backward() / autograd.grad call of the program, lightly: the loss, and each leaf's gradient and update sizes. At most 1,000 calls are listed, evenly spaced with the last one in; the diagnoses read every call.
 * @property {number} calls  How many calls of backward() and autograd.grad ran.
 * @property {number[]} iterations  Which calls the lists hold (0-based).
 * @property {number|null[]} loss  Per call: the value differentiated (its L2 norm when not a single element).
 * @property {TrainingSeriesOut[]} series
 * @property {DiagnosisOut[]} diagnoses
 * @property {number|null} shown_call  The call whose graph and steps this response shows (the request's `call`, else the last).
 */

/**
 * @typedef {object} TrainingSeriesOut
 *   One leaf over the calls of backward() (a parameter, or a leaf the program made).
 * @property {string} name  The leaf's name, as in `variables` (`model.0.weight`).
 * @property {string|null} module  The module holding it, if a parameter.
 * @property {number|null[]} grad_norm  Per call (as `iterations`): the L2 norm of .grad after the call; null where the call did not reach the leaf or the value was not finite.
 * @property {number|null[]} grad_mean
 * @property {number|null[]} grad_max  Per call: max |.grad|.
 * @property {number|null[]} zero_fraction  Per call: the fraction of .grad's elements exactly 0.
 * @property {number|null[]} norm  Per call: the leaf's own L2 norm then.
 * @property {number|null[]} update  Per call: how far the leaf moved before the next call reached it (or the program ended): the L2 norm of the change (an optimizer's step, a manual update); 0 when nothing changed it.
 * @property {number} dead_units  Rows (units) whose gradient was exactly 0 for the last 20 calls.
 * @property {number} units  Rows (units) of the leaf: its first dimension.
 */

/**
 * @typedef {object} VariableIn
 *   A pre-bound input for a single expression.
 * @property {number|boolean|NestedInput[]} value  A number or nested list of numbers; becomes a tensor.
 * @property {boolean} [requires_grad]  Make it a leaf that collects .grad.
 */

/**
 * @typedef {object} VariableOut
 *   A tensor bound to a name when the program ends.
 * @property {TensorOut} value
 * @property {TensorOut|null} grad  .grad as torch holds it at the end.
 * @property {boolean} requires_grad
 * @property {number[]} shape
 */

/**
 * @typedef {object} VariableOutV2
 *   A tensor bound to a name when the program ends.
 * @property {number} value
 * @property {number|null} grad  .grad as torch holds it at the end.
 * @property {boolean} requires_grad
 * @property {number[]} shape
 */

/**
 * @typedef {object} Variant
 *   A second program to try beside the lesson's: what changes, or the error torch gives.
 * @property {string} title
 * @property {string} source
 */

export {};
