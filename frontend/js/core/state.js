/**
 * The one state object of the page and its store. Pure, no DOM; the URL hash it is shared
 * through is sharelink.js.
 *
 * Everything the page shows is derived from this object; the app changes it only through
 * `store.update`, and subscribers redraw from it.
 */

/**
 * @typedef {"idle"|"running"|"done"|"error"} Status
 *
 * @typedef {object} VariableRow  one row of the variables table (for single expressions)
 * @property {string} name
 * @property {string} value  as typed: a number or a nested list, "[1.4, 2.0]"
 * @property {boolean} requiresGrad
 *
 * @typedef {object} AppState
 * @property {string} source  the program in the editor
 * @property {string|null} seed  the program a fresh page opens with (core/seed.js), once
 *   the examples brought it; null before (or when they did not)
 * @property {VariableRow[]} variables  pre-bound inputs sent with a single expression
 * @property {Status} status  idle: nothing run yet; running: a request or layout in flight
 *   (on a fresh page, first the examples the seed program comes with)
 * @property {string|null} progress  while running, what is being done to a large graph
 *   ("Laying out 5,000 nodes…"); null otherwise
 * @property {number} run  increases with every Run; answers to older runs are dropped
 * @property {import("./contract.js").TraceOut|null} trace  the last answer, as received (export)
 * @property {Recording|null} recording  the same in API v2's form, as the server sent it,
 *   and what was asked (the offline player's export); null for an error's partial graph
 * @property {import("./model.js").Model|null} model  the last traced graph
 * @property {import("./timeline.js").Timeline|null} timeline  its steps as positions
 * @property {import("./collapse.js").View|null} view  the graph as drawn (modules collapsed)
 * @property {string[]} collapsed  module names shown as one box
 * @property {import("../layout/arrange.js").Layout|null} layout  the view's coordinates
 * @property {"elk"|"quick"|"interim"|null} layoutKind  which layout made them (quick: ELK
 *   would be too slow; interim: the quick layout, until ELK's comes, see handoff.js)
 * @property {Map<string, import("./nodecard.js").Card>|null} cards  the view's node cards
 * @property {string} stdout  printed output of the last run
 * @property {string[]} notes  what that run asked for and chainrule did not do
 * @property {ErrorShown|null} error  the last run's error; a partial graph (what ran before
 *   it) may be shown with it: then model, timeline, view and layout are that graph's
 * @property {string|null} hovered  id of the node under the pointer
 * @property {string|null} hoveredEdge  id of the edge under the pointer
 * @property {string|null} selected  id of the node shown in the inspector
 * @property {number|null} step  the timeline position shown (a run opens at 0, the start
 *   of the forward pass); null: the end (all shown)
 * @property {boolean} playing  the player is advancing through the steps
 * @property {number} speed  steps per second at 1 is SPEEDS' 1; a multiplier
 * @property {"output"|"steps"|"training"} tab  what the lower left panel shows
 * @property {number|null} call  the call of backward() whose graph to show (null: the last)
 * @property {boolean} cardOpen  the chain-rule card shows its formulas (else only its title)
 * @property {import("./contract.js").Example[]|null} examples  the examples menu, once loaded
 * @property {number|null} elapsedMs  time from Run to drawn graph
 * @property {import("./contract.js").Lesson[]|null} lessons  the lessons panel, once loaded
 * @property {string|null} lesson  id of the open lesson
 * @property {boolean} lessonsOpen  the lessons panel is shown
 * @property {Mode} mode  edit: the editor beside the graph; present: large, graph only
 * @property {boolean} predict  each step's number stays concealed until predicted
 *   (core/predict.js asks, core/conceal.js conceals)
 * @property {Object<string, Answer>} answers  this run's predictions ("p<position>",
 *   core/predict.js's Prediction) and the lesson's question ("question"); the lesson's
 *   score counts them
 * @property {boolean} outputShown  the program's output is shown although numbers are
 *   concealed (the "Show output" button)
 * @property {import("./contract.js").CheckOut|null} check  the last gradient check
 * @property {"idle"|"running"|"done"|"error"} checkStatus
 * @property {{source: string}|null} compare  two runs compared: the second program (run
 *   B's, beside the editor's, run A's); null: one run
 * @property {Compared|null} compared  run B's last answer, drawn where A's nodes are
 * @property {Room|null} room  the class this page teaches or follows (app/room.js); null: none
 *
 * @typedef {object} Room  a classroom room, as this page takes part in it
 * @property {"teacher"|"student"} role
 * @property {string} code
 * @property {"joining"|"live"|"ended"|"error"} status  error: the room can't be reached
 *   now (the page tries again); ended: the teacher ended it, or it expired
 * @property {string|null} message  what went wrong, or why it ended
 * @property {string} link  the students' address (the teacher's page)
 * @property {import("./contract.js").RoomShownOut|null} shown  the teacher's last state
 *   (a student's page)
 * @property {boolean} following  a student's page shows the teacher's step (else it wanders)
 * @property {string|null} run  the teacher's run the next three are of (a student's page)
 * @property {Object<string, number|string>} sent  a student's answers in that run, per
 *   answer key ("p12", "question")
 * @property {string[]} revealed  the answer keys seen revealed in that run
 * @property {number} reached  the furthest step of that run the teacher reached in predict
 *   mode (core/room.js's seenAfter)
 * @property {string|null} showing  the teacher's run whose graph a student's page shows
 *   (core/room.js's runKey)
 * @property {"idle"|"sending"|"sent"|"refused"} sending  the student's answer to the open
 *   question
 * @property {import("./contract.js").RoomAnswersOut|null} tally  the class's answers to
 *   the open question (the teacher's page)
 *
 * @typedef {object} Compared  the compared run B, as traced (app/compare.js)
 * @property {"running"|"done"|"error"} status
 * @property {string} source  the program traced
 * @property {import("./contract.js").TraceOut|null} trace
 * @property {import("./model.js").Model|null} model
 * @property {ErrorShown|null} error
 *
 * @typedef {"edit"|"present"} Mode
 *
 * @typedef {object} Recording  a trace as the server sent it and what it answered
 * @property {import("./contract.js").TraceOutV2} trace
 * @property {string} source
 * @property {Object<string, import("./contract.js").VariableIn>} variables
 *
 * @typedef {object} ErrorShown  an error as the page shows it
 * @property {string} code
 * @property {string} message
 * @property {number|null} line
 * @property {number|null} col
 * @property {string|null} [torchMessage]  torch's own message, when `message` rewords it
 * @property {string[]} [offered]  unknown names given a row in the variables table
 * @property {boolean} [partial]  the graph of what ran before the error is shown
 *
 * @typedef {object} Answer  what a student answered, and whether it was right
 * @property {number|string} given
 * @property {number|string|null} expected  the traced number (or the right option)
 * @property {boolean} correct
 */

/** Playback speeds offered, as multipliers of one step per STEP_MS. */
export const SPEEDS = Object.freeze([0.5, 1, 2, 4]);

/** @returns {AppState} */
export function initialState(source = "", variables = [], extras = {}) {
  return {
    source,
    seed: null,
    variables,
    status: "idle",
    progress: null,
    run: 0,
    trace: null,
    recording: null,
    model: null,
    timeline: null,
    view: null,
    collapsed: [],
    layout: null,
    layoutKind: null,
    cards: null,
    stdout: "",
    notes: [],
    error: null,
    hovered: null,
    hoveredEdge: null,
    selected: null,
    step: null,
    playing: false,
    speed: 1,
    tab: "output",
    call: null,
    cardOpen: true,
    examples: null,
    elapsedMs: null,
    lessons: null,
    lesson: extras.lesson ?? null,
    lessonsOpen: false,
    mode: extras.mode ?? "edit",
    predict: false,
    answers: {},
    outputShown: false,
    check: null,
    checkStatus: "idle",
    compare: extras.compare ?? null,
    compared: null,
    room: null,
  };
}

/**
 * The state's changes when a run fails: the error shown over an empty graph, nothing of a
 * previous run kept (its graph, steps, output, selection, gradient check) but what the
 * program printed before the error.
 * @param {ErrorShown} error
 * @param {string} [stdout]  what the program printed before it stopped
 * @returns {Partial<AppState>}
 */
export function failedRun(error, stdout = "") {
  return {
    status: "error",
    error,
    model: null,
    timeline: null,
    view: null,
    layout: null,
    cards: null,
    stdout,
    notes: [],
    selected: null,
    step: null,
    check: null,
    checkStatus: "idle",
    progress: null,
  };
}

/**
 * A store holding one AppState: `update` merges a patch and tells every subscriber
 * `(state, previous)`.
 * @param {AppState} initial
 */
export function createStore(initial) {
  let state = Object.freeze({ ...initial });
  const listeners = new Set();
  return {
    /** @returns {AppState} */
    get state() {
      return state;
    },
    /** @param {Partial<AppState>} patch */
    update(patch) {
      const previous = state;
      state = Object.freeze({ ...state, ...patch });
      for (const listener of listeners) listener(state, previous);
    },
    /** @param {(state: AppState, previous: AppState) => void} listener  @returns {() => void} unsubscribe */
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
